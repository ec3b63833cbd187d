/**
 * The API proxy: a window's call for a connection (`/connections/:id/api/…`) is sent to that
 * cluster with its key added, and both bodies stream through untouched — an upload is piped to
 * the cluster as it arrives, a live log (text/event-stream) reaches the page line by line.
 *
 * Only listed headers pass, each way: the page's cookies never reach a cluster, and nothing the
 * cluster sets (cookies) or that could carry a credential reaches the page.
 *
 * `forwardToCluster` is the proxy itself; shoal-manager serves it over HTTP (`proxyToCluster`)
 * and the desktop app over its app:// protocol (fetchProxy.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
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

type Headers = Record<string, string | string[] | undefined>;

const pick = (from: Headers, names: string[]) => {
  const out: Record<string, string | string[]> = {};
  for (const n of names) if (from[n] !== undefined) out[n] = from[n]!;
  return out;
};

/** What the page sees when the call did not reach an answer: Shoal's own error shape. */
export class ProxyError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The error body, so the portal's client shows the words as it does for a node's errors. */
export const errorBody = (code: string, message: string): string => JSON.stringify({ error: { code, message } });

/** Status the page sees when the manager could not get an answer from the cluster. */
function statusFor(err: ClusterError): number {
  if (err.code === 'NoApiKey') return 409;
  if (err.code === 'Timeout') return 504;
  return 502;
}

export interface ForwardedRequest {
  method: string;
  /** Lower-case names. */
  headers: Headers;
  /** Present for methods with a body. */
  body?: Readable;
  /** Aborted when the page goes away (a closed live log, a canceled upload): the cluster call ends too. */
  signal: AbortSignal;
}

export interface ForwardedAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  /** The cluster's body, unread: the caller streams it on. */
  body: IncomingMessage;
}

/** `apiPath` is what follows the connection's prefix: /api or /api/… with its query. Throws ProxyError. */
export async function forwardToCluster(client: ClusterClient, apiPath: string, req: ForwardedRequest): Promise<ForwardedAnswer> {
  if (!/^\/api(\/|\?|$)/.test(apiPath)) throw new ProxyError(404, 'NotFound', 'Only the cluster API (/api/…) goes through the manager.');
  try {
    const upstream = await client.request({
      method: req.method,
      path: apiPath,
      headers: pick(req.headers, REQUEST_HEADERS),
      body: req.body,
      signal: req.signal,
      headersTimeoutMs: 60_000,
    });
    return { status: upstream.statusCode ?? 502, headers: pick(upstream.headers, RESPONSE_HEADERS), body: upstream };
  } catch (err) {
    const e = err instanceof ClusterError ? err : new ClusterError('Unreachable', (err as Error).message);
    throw new ProxyError(statusFor(e), e.code, e.message);
  }
}

/** Where a window sends a connection's API calls, in both shells (shoal-manager's HTTP, the desktop's app://). */
export const proxyBase = (connectionId: string): string => `/connections/${encodeURIComponent(connectionId)}`;

/** The connection's id and the API path of a proxy URL (`/connections/<id>/api…`); undefined for any other. */
export function parseProxyPath(url: string): { connectionId: string; apiPath: string } | undefined {
  const m = /^\/connections\/([^/?]+)(\/api(?:[/?].*)?)$/i.exec(url);
  if (!m) return undefined;
  try {
    return { connectionId: decodeURIComponent(m[1]!), apiPath: m[2]! };
  } catch {
    return undefined;
  }
}

export function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(errorBody(code, message));
}

/** shoal-manager's HTTP side of the proxy: the page's request in, the cluster's answer piped out. */
export async function proxyToCluster(client: ClusterClient, apiPath: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const abort = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  let answer: ForwardedAnswer;
  try {
    answer = await forwardToCluster(client, apiPath, { method: req.method ?? 'GET', headers: req.headers, body: hasBody ? req : undefined, signal: abort.signal });
  } catch (err) {
    if (abort.signal.aborted) return;
    const e = err as ProxyError;
    return sendError(res, e.status, e.code, e.message);
  }
  res.writeHead(answer.status, answer.headers);
  res.flushHeaders();
  answer.body.on('error', () => res.destroy());
  answer.body.pipe(res);
}
