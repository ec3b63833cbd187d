import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Logger } from 'pino';
import { DOWNLOAD_READ_CHUNK } from '../api/fileDownload.js';
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

export type DownloadRefusal = { status: 400 | 403 | 404 | 416; message: string; size?: number };

/** Request headers as either channel carries them (the comms port's, or a listening agent's `get` frame). */
type RequestHeaders = Record<string, string | string[] | undefined>;

/**
 * The package file an agent may fetch: only for DeployPackage work of its own target (the
 * client certificate's), running, under the token it was handed, and naming this hash. A
 * registered certificate alone fetches nothing.
 */
async function authorisedFile(shoal: ShoalDb, masterKey: Buffer, packagesRoot: string, targetId: number, sha256: string, headers: RequestHeaders): Promise<{ file: string; size: number } | DownloadRefusal> {
  const id = Number(headers[AGENT_WORK_HEADERS.id]);
  const token = headers[AGENT_WORK_HEADERS.token];
  if (!Number.isSafeInteger(id) || typeof token !== 'string') return { status: 400, message: `A package download names its work in the ${AGENT_WORK_HEADERS.id} and ${AGENT_WORK_HEADERS.token} headers.` };
  const w = await shoal.db.selectFrom('agent_work').select(['kind', 'state', 'claim_token', 'payload']).where('id', '=', id).where('target_id', '=', targetId).executeTakeFirst();
  if (!w || w.kind !== 'DeployPackage' || w.state !== 'Running' || w.claim_token !== token) return { status: 403, message: `Work ${id} is not running DeployPackage work of this target under this token: no package is served for it.` };
  const p = JSON.parse(decryptValue(masterKey, w.payload)) as PackageWorkPayload;
  if (p.package.sha256 !== sha256) return { status: 403, message: `Work ${id} deploys the package ${p.package.sha256}, not ${sha256}.` };
  const file = path.join(spaceFolder(packagesRoot, p.spaceId), p.fileName);
  try {
    // Not on the event loop: the share may be slow.
    return { file, size: (await fs.promises.stat(file)).size };
  } catch {
    return { status: 404, message: `The file of ${p.package.packageId} ${p.package.version} (${p.fileName}) is missing from the packages storage.` };
  }
}

export interface PackageDownloadOptions {
  shoal: ShoalDb;
  masterKey: Buffer;
  packagesRoot: string;
  logger: Logger;
}

/** A package download about to be sent: its status and headers, and its bytes as a stream (none for an empty file). */
export interface OpenedPackage {
  status: 200 | 206;
  headers: Record<string, string | number>;
  stream: fs.ReadStream | undefined;
  /** Logs the bytes sent once the transfer ended, whether or not the agent read them all. */
  sent(bytes: number): void;
}

/**
 * GET /agent/packages/<sha256>, over either channel: the package file from the shared packages
 * storage (streamed, never held in memory), whole or from a `Range` for a resumed transfer.
 */
export async function openAgentPackage(o: PackageDownloadOptions, target: { id: number; name: string }, sha256: string, headers: RequestHeaders): Promise<OpenedPackage | DownloadRefusal> {
  const found = await authorisedFile(o.shoal, o.masterKey, o.packagesRoot, target.id, sha256, headers);
  if ('status' in found) {
    if (found.status === 403) o.logger.warn({ target: target.name, sha256 }, `refused a package download: ${found.message}`);
    return found;
  }
  const rangeHeader = headers.range;
  const range = parseRange(typeof rangeHeader === 'string' ? rangeHeader : undefined, found.size);
  if (range === 'unsatisfiable') return { status: 416, message: `The range ${rangeHeader} is not within the ${found.size} bytes of the package.`, size: found.size };
  const start = range?.start ?? 0;
  const end = range?.end ?? found.size - 1;
  const answer: Record<string, string | number> = { 'content-type': 'application/octet-stream', 'content-length': Math.max(0, end - start + 1), 'accept-ranges': 'bytes', etag: `"${sha256}"` };
  if (range) answer['content-range'] = `bytes ${start}-${end}/${found.size}`;
  const began = Date.now();
  const stream = found.size === 0 ? undefined : fs.createReadStream(found.file, { start, end, highWaterMark: DOWNLOAD_READ_CHUNK });
  stream?.once('error', (err) => o.logger.warn({ err: err.message, file: found.file }, 'reading a package for an agent failed'));
  return {
    status: range ? 206 : 200,
    headers: answer,
    stream,
    sent: (bytes) => o.logger.info({ target: target.name, sha256, start, bytes, complete: start + bytes === found.size, ms: Date.now() - began }, 'served package bytes to an agent'),
  };
}

/** The comms port's answer to a package download (refusals are the caller's to send in the error shape). */
export async function serveAgentPackage(o: PackageDownloadOptions, target: { id: number; name: string }, sha256: string, req: IncomingMessage, res: ServerResponse): Promise<DownloadRefusal | undefined> {
  const opened = await openAgentPackage(o, target, sha256, req.headers);
  if (!('headers' in opened)) {
    if (opened.status === 416) res.setHeader('content-range', `bytes */${opened.size}`);
    return opened;
  }
  res.writeHead(opened.status, opened.headers);
  const input = opened.stream;
  if (!input) return void res.end();
  let sent = 0;
  input.on('data', (c) => (sent += c.length));
  await new Promise<void>((resolve) => {
    res.once('close', () => {
      input.destroy();
      resolve();
    });
    input.once('error', () => res.destroy());
    input.pipe(res);
  });
  opened.sent(sent);
  return undefined;
}
