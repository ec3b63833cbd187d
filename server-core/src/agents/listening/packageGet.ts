import { Readable } from 'node:stream';
import type { ListeningGet } from '../../contract/agentListening.js';
import { commsErrorBody } from '../commsError.js';
import { openAgentPackage, type PackageDownloadOptions } from '../packageDownload.js';
import type { ChannelDownload } from './dial.js';

const PACKAGE_PATH = /^\/agent\/packages\/([0-9a-f]{64})$/;

/** A refusal in the error shape the comms port answers with. */
function refusal(status: number, message: string, headers: Record<string, string | number> = {}): ChannelDownload {
  const body = Buffer.from(JSON.stringify(commsErrorBody(status, message)));
  return { status, headers: { ...headers, 'content-type': 'application/json', 'content-length': body.length }, stream: Readable.from([body]) };
}

/**
 * A listening agent's GET over the channel its node dialed: a package download, authorised and
 * answered as the comms port answers a polling agent's (`openAgentPackage`). `packages` is
 * absent where no package can be asked for (health checks): everything is 404 there.
 */
export async function answerChannelGet(packages: PackageDownloadOptions | undefined, target: { id: number; name: string }, get: ListeningGet): Promise<ChannelDownload> {
  const sha256 = PACKAGE_PATH.exec(get.path)?.[1];
  if (!sha256 || !packages) return refusal(404, `Nothing is served at ${get.path} on this connection.`);
  const opened = await openAgentPackage(packages, target, sha256, get.headers);
  if ('headers' in opened) return opened;
  return refusal(opened.status, opened.message, opened.size === undefined ? {} : { 'content-range': `bytes */${opened.size}` });
}
