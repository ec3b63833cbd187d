/**
 * The API proxy: a window's call for a connection (`/connections/:id/api/…`) is sent to that
 * cluster with its key added, and both bodies stream through untouched — an upload is piped to
 * the cluster as it arrives, a live log (text/event-stream) reaches the page line by line.
 *
 * Only listed headers pass, each way: the page's cookies never reach a cluster, and nothing the
 * cluster sets (cookies) or that could carry a credential reaches the page.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClusterClient } from '../cluster/clusterClient.js';
import { ClusterError } from '../cluster/clusterError.js';

const REQUEST_HEADERS = [
  'accept',
  'accept-language',
  'cache-control',
  'content-type',
  'content-length',
  'if-match',
  'if-modified-since',
  'if-none-match',
  'if-range',
  'last-event-id',
  'range',
];

const RESPONSE_HEADERS = [
  'accept-ranges',
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-length',
  'content-range',
  'content-type',
  'date',
  'etag',
  'last-modified',
  'retry-after',
  'x-accel-buffering',
  'x-shoal-node',
];

const pick = (from: Record<string, string | string[] | undefined>, names: string[]) => {
  const out: Record<string, string | string[]> = {};
  for (const n of names) if (from[n] !== undefined) out[n] = from[n]!;
  return out;
};

/** Status the page sees when the manager could not get an answer from the cluster. */
function statusFor(err: ClusterError): number {
  if (err.code === 'NoApiKey') return 409;
  if (err.code === 'Timeout') return 504;
  return 502;
}

/** Sends Shoal's own error shape, so the portal's client shows the words as it does for a node's errors. */
export function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ error: { code, message } }));
}

/** `apiPath` is what follows the connection's prefix: /api or /api/… with its query. */
export async function proxyToCluster(client: ClusterClient, apiPath: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!/^\/api(\/|\?|$)/.test(apiPath)) return sendError(res, 404, 'NotFound', 'Only the cluster API (/api/…) goes through the manager.');
  const abort = new AbortController();
  // The page went away (closed a live log, canceled an upload): stop the cluster call too.
  res.once('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  let upstream: IncomingMessage;
  try {
    upstream = await client.request({
      method: req.method ?? 'GET',
      path: apiPath,
      headers: pick(req.headers, REQUEST_HEADERS),
      body: hasBody ? req : undefined,
      signal: abort.signal,
      headersTimeoutMs: 60_000,
    });
  } catch (err) {
    if (abort.signal.aborted) return;
    const e = err instanceof ClusterError ? err : new ClusterError('Unreachable', (err as Error).message);
    return sendError(res, statusFor(e), e.code, e.message);
  }
  res.writeHead(upstream.statusCode ?? 502, pick(upstream.headers, RESPONSE_HEADERS));
  res.flushHeaders();
  upstream.on('error', () => res.destroy());
  upstream.pipe(res);
}
