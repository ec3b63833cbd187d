/**
 * Calls one cluster's API on the user's behalf: the API key is added here, server-side, and a
 * pinned certificate is enforced by the agent. `request` streams both ways (the body is piped,
 * the response is returned unread) for the proxy; `json` is for the manager's own calls.
 */
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { clusterAgent, tlsErrorOf } from './clusterAgent.js';
import { ClusterError, describeNetworkError } from './clusterError.js';

export interface ClusterTarget {
  name: string;
  url: string;
  pinnedCertificate: string | null;
}

export interface ClusterRequest {
  method: string;
  /** Starts with /api; appended to the connection's base URL (which may have a path prefix). */
  path: string;
  headers?: Record<string, string | string[] | undefined>;
  body?: Readable | string;
  signal?: AbortSignal;
  /** Until the response headers arrive; the body may then stream for as long as it lasts. */
  headersTimeoutMs?: number;
}

const USER_AGENT = 'shoal-manager';

export class ClusterClient {
  readonly #agent: http.Agent;

  constructor(
    readonly target: ClusterTarget,
    private readonly apiKey: () => Promise<string | undefined>,
    o: { keepAlive?: boolean } = {},
  ) {
    this.#agent = clusterAgent(target.url, { pinnedCertificate: target.pinnedCertificate, keepAlive: o.keepAlive ?? true });
  }

  /** Where a path goes: the base URL's origin and prefix, then the path (never another host). */
  urlOf(path: string): URL {
    const base = new URL(this.target.url);
    const u = new URL(base.origin);
    const [pathname, query] = splitOnce(path, '?');
    u.pathname = `${base.pathname.replace(/\/$/, '')}${pathname}`;
    if (query !== undefined) u.search = query;
    return u;
  }

  async request(r: ClusterRequest): Promise<http.IncomingMessage> {
    const key = await this.apiKey();
    if (!key) throw new ClusterError('NoApiKey', `No API key is stored for ${this.target.name}; enter it in the connection.`);
    const url = this.urlOf(r.path);
    const send = url.protocol === 'https:' ? https.request : http.request;
    const headers: Record<string, string | string[]> = { 'user-agent': USER_AGENT };
    for (const [k, v] of Object.entries(r.headers ?? {})) if (v !== undefined) headers[k] = v;
    headers['x-api-key'] = key;
    const where = url.host;
    return new Promise((resolve, reject) => {
      const req = send(url, { method: r.method, headers, agent: this.#agent, signal: r.signal });
      const timer = r.headersTimeoutMs ? setTimeout(() => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })), r.headersTimeoutMs) : undefined;
      req.once('response', (res) => {
        clearTimeout(timer);
        resolve(res);
      });
      req.once('error', (err) => {
        clearTimeout(timer);
        reject(tlsErrorOf(err) ?? describeNetworkError(err, where));
      });
      if (r.body === undefined) req.end();
      else if (typeof r.body === 'string') req.end(r.body);
      else {
        r.body.once('error', (err) => req.destroy(err));
        r.body.pipe(req);
      }
    });
  }

  /** A JSON call that must succeed; a non-2xx answer becomes a ClusterError with the server's own message. */
  async json<T>(method: string, path: string, o: { body?: unknown; timeoutMs?: number } = {}): Promise<T> {
    const timeoutMs = o.timeoutMs ?? 10_000;
    const signal = AbortSignal.timeout(timeoutMs);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    let res: http.IncomingMessage;
    let text: string;
    try {
      res = await this.request({ method, path, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body), signal, headersTimeoutMs: timeoutMs });
      text = await readText(res);
    } catch (err) {
      throw describeNetworkError(err, new URL(this.target.url).host);
    }
    const status = res.statusCode ?? 0;
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (status >= 200 && status < 300) {
      if (body === undefined && text) throw new ClusterError('BadResponse', `${method} ${path} answered ${status} with something that is not JSON; is ${this.target.url} a Shoal server?`, status);
      return body as T;
    }
    throw statusError(status, body, `${method} ${path}`);
  }

  close(): void {
    this.#agent.destroy();
  }
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

async function readText(res: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function serverMessage(body: unknown): string | undefined {
  const m = (body as { error?: { message?: unknown } } | undefined)?.error?.message;
  return typeof m === 'string' ? m : undefined;
}

function statusError(status: number, body: unknown, what: string): ClusterError {
  const said = serverMessage(body);
  if (status === 401) return new ClusterError('KeyRefused', `The cluster refused the API key (revoked, expired or mistyped)${said ? `: ${said}` : '.'}`, status);
  if (status === 403) return new ClusterError('Forbidden', said ?? `The API key's user may not do this (${what}).`, status);
  if (status === 502 || status === 503 || status === 504) {
    return new ClusterError('Unreachable', said ?? `The cluster answered ${status}: its load balancer finds no node that answers.`, status);
  }
  return new ClusterError('HttpError', said ?? `${what} answered ${status}.`, status);
}
