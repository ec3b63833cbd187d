import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { AGENT_DOWNLOAD_SHA256_HEADER, agentDownloadEndpoints, type AgentBundleManifest } from '@shoal/server-core/contract';
import { extractPackage } from '@shoal/server-core/packages';
import { messageOfErrorText } from './comms.js';
import { DOWNLOAD_WRITE_BUFFER } from './packages/download.js';

/** What a self-contained agent says about itself (shoal-agent/manifest.json). */
type InstalledManifest = Pick<AgentBundleManifest, 'version' | 'platform' | 'node' | 'agentSha256'>;

/** The upgrade cannot be done; nothing was changed: exit 1 with its message. */
export class UpgradeError extends Error {}

/**
 * The folder of the self-contained agent this code runs from (its launcher, manifest, `lib/`
 * and `runtime/`), or undefined when it runs from a checkout of the repository.
 */
export function installedHome(moduleUrl: string = import.meta.url): string | undefined {
  const lib = path.dirname(fileURLToPath(moduleUrl));
  const home = path.dirname(lib);
  return path.basename(lib) === 'lib' && fs.existsSync(path.join(home, 'manifest.json')) ? home : undefined;
}

const sha256Of = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const readManifest = (home: string) => JSON.parse(fs.readFileSync(path.join(home, 'manifest.json'), 'utf8')) as InstalledManifest;
const describe = (m: InstalledManifest) => `${m.version} (agent ${m.agentSha256.slice(0, 12)}, Node ${m.node})`;

async function call(url: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(600_000) });
  } catch (err) {
    throw new UpgradeError(`cannot reach ${url}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`);
  }
  if (!res.ok) throw new UpgradeError(`${url} answered ${res.status}: ${messageOfErrorText(await res.text())}`);
  return res;
}

/** Downloads the archive to `file`, and checks its length and SHA-256 against what the answering node said. */
async function download(url: string, file: string): Promise<void> {
  const res = await call(url);
  const expected = res.headers.get(AGENT_DOWNLOAD_SHA256_HEADER);
  if (!expected || !res.body) throw new UpgradeError(`${url} sent no ${AGENT_DOWNLOAD_SHA256_HEADER} header; is it a Shoal node?`);
  const hash = crypto.createHash('sha256');
  const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
  body.on('data', (chunk: Buffer) => hash.update(chunk));
  await pipeline(body, fs.createWriteStream(file, { mode: 0o600, highWaterMark: DOWNLOAD_WRITE_BUFFER }));
  const got = hash.digest('hex');
  if (got !== expected) throw new UpgradeError(`the download was damaged: SHA-256 ${got}, the node said ${expected}; nothing was changed`);
}

export type UpgradeResult = { upgraded: false; current: string } | { upgraded: true; from: string; to: string; previous: string };

/**
 * Replaces the self-contained agent in `home` with the one the cluster serves, when it differs:
 * downloaded and unpacked beside it, checked, then swapped in with two renames (the old one
 * stays as `<home>.previous`). A running agent keeps its files open and goes on until restarted.
 */
export async function upgrade(home: string, serverUrl: string): Promise<UpgradeResult> {
  const installed = readManifest(home);
  const base = serverUrl.replace(/\/+$/, '');
  const query = `?platform=${encodeURIComponent(installed.platform)}`;
  let served: AgentBundleManifest;
  try {
    served = (await (await call(`${base}${agentDownloadEndpoints.agentBundle.url}${query}`)).json()) as AgentBundleManifest;
  } catch (err) {
    // A cluster without an agent for this platform says so (404, naming those it has).
    throw err instanceof UpgradeError ? new UpgradeError(`${err.message.replace(/\.$/, '')}; nothing was changed`) : err;
  }
  if (served.platform !== installed.platform) throw new UpgradeError(`the cluster serves agents for ${served.platform}, and this machine runs ${installed.platform}; nothing was changed`);
  if (served.agentSha256 === installed.agentSha256 && served.node === installed.node) return { upgraded: false, current: describe(installed) };

  const work = `${home}.upgrade-${process.pid}`;
  const archive = `${work}.tar.gz`;
  const previous = `${home}.previous`;
  fs.rmSync(work, { recursive: true, force: true });
  try {
    await download(`${base}${agentDownloadEndpoints.downloadAgent.url}${query}`, archive);
    fs.mkdirSync(work, { mode: 0o755 });
    await extractPackage(archive, '.tar.gz', work);
    const next = path.join(work, 'shoal-agent');
    const fresh = readManifest(next);
    if (sha256Of(path.join(next, 'lib', 'shoal-agent.mjs')) !== fresh.agentSha256) throw new UpgradeError('the downloaded agent does not match its own manifest; nothing was changed');
    fs.rmSync(previous, { recursive: true, force: true });
    fs.renameSync(home, previous);
    try {
      fs.renameSync(next, home);
    } catch (err) {
      fs.renameSync(previous, home);
      throw new UpgradeError(`could not put the new agent in ${home} (${(err as Error).message}); the old one is back in place`);
    }
    return { upgraded: true, from: describe(installed), to: describe(fresh), previous };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(archive, { force: true });
  }
}
