import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Logger } from 'pino';
import { parseRange } from '../api/range.js';
import { AGENT_WORK_HEADERS, type AgentPackageWork } from '../contract/targets.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { spaceFolder } from '../packages/packageFiles.js';
import { decryptValue } from '../secrets/masterKey.js';

/** What a DeployPackage work row carries, sealed: the agent's part and where the file lives. */
export interface PackageWorkPayload {
  package: AgentPackageWork;
  spaceId: string;
  fileName: string;
}

export type DownloadRefusal = { status: 400 | 403 | 404 | 416; message: string };

/**
 * The package file an agent may fetch: only for DeployPackage work of its own target (the
 * client certificate's), running, under the token it was handed, and naming this hash. A
 * registered certificate alone fetches nothing.
 */
async function authorisedFile(shoal: ShoalDb, masterKey: Buffer, packagesRoot: string, targetId: number, sha256: string, req: IncomingMessage): Promise<{ file: string; size: number } | DownloadRefusal> {
  const id = Number(req.headers[AGENT_WORK_HEADERS.id]);
  const token = req.headers[AGENT_WORK_HEADERS.token];
  if (!Number.isSafeInteger(id) || typeof token !== 'string') return { status: 400, message: `A package download names its work in the ${AGENT_WORK_HEADERS.id} and ${AGENT_WORK_HEADERS.token} headers.` };
  const w = await shoal.db.selectFrom('agent_work').select(['kind', 'state', 'claim_token', 'payload']).where('id', '=', id).where('target_id', '=', targetId).executeTakeFirst();
  if (!w || w.kind !== 'DeployPackage' || w.state !== 'Running' || w.claim_token !== token) return { status: 403, message: `Work ${id} is not running DeployPackage work of this target under this token: no package is served for it.` };
  const p = JSON.parse(decryptValue(masterKey, w.payload)) as PackageWorkPayload;
  if (p.package.sha256 !== sha256) return { status: 403, message: `Work ${id} deploys the package ${p.package.sha256}, not ${sha256}.` };
  const file = path.join(spaceFolder(packagesRoot, p.spaceId), p.fileName);
  try {
    return { file, size: fs.statSync(file).size };
  } catch {
    return { status: 404, message: `The file of ${p.package.packageId} ${p.package.version} (${p.fileName}) is missing from the packages storage.` };
  }
}

/**
 * GET /agent/packages/<sha256> on the comms port: the package file streamed from the shared
 * packages storage (never held in memory), whole or from a `Range` for a resumed transfer.
 * Logs the bytes it sent when the response ends, whether or not the agent read it all.
 */
export async function serveAgentPackage(
  o: { shoal: ShoalDb; masterKey: Buffer; packagesRoot: string; logger: Logger },
  target: { id: number; name: string },
  sha256: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<DownloadRefusal | undefined> {
  const found = await authorisedFile(o.shoal, o.masterKey, o.packagesRoot, target.id, sha256, req);
  if ('status' in found) return found;
  const range = parseRange(req.headers.range, found.size);
  if (range === 'unsatisfiable') {
    res.setHeader('content-range', `bytes */${found.size}`);
    return { status: 416, message: `The range ${req.headers.range} is not within the ${found.size} bytes of the package.` };
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? found.size - 1;
  const headers: Record<string, string | number> = { 'content-type': 'application/octet-stream', 'content-length': Math.max(0, end - start + 1), 'accept-ranges': 'bytes', etag: `"${sha256}"` };
  if (range) headers['content-range'] = `bytes ${start}-${end}/${found.size}`;
  res.writeHead(range ? 206 : 200, headers);
  if (found.size === 0) return void res.end();
  let sent = 0;
  const input = fs.createReadStream(found.file, { start, end });
  input.on('data', (c) => (sent += c.length));
  await new Promise<void>((resolve) => {
    const done = () => {
      input.destroy();
      resolve();
    };
    res.once('close', done);
    input.once('error', (err) => {
      o.logger.warn({ err: err.message, file: found.file }, 'reading a package for an agent failed');
      res.destroy();
    });
    input.pipe(res);
  });
  o.logger.info({ target: target.name, sha256, start, bytes: sent, complete: start + sent === found.size }, 'served package bytes to an agent');
  return undefined;
}
