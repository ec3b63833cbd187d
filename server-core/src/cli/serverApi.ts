import { InvalidArgumentError } from 'commander';
import { endpointUrl, type Endpoint, type EndpointInput, type EndpointResult } from '../contract/endpoint.js';

/** `--server`: an http(s) URL of a node or of the load balancer in front of a cluster. */
export function serverUrl(v: string): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new InvalidArgumentError('must be a URL like https://shoal.example.com.');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new InvalidArgumentError('must be an http:// or https:// URL.');
  return v;
}

/** The native API as a build server's CLI calls it: endpoints of the contract, JSON in and out; an error answer becomes the server's message. */
export class ServerApi {
  constructor(
    readonly server: string,
    readonly apiKey: string,
  ) {}

  url(path: string): URL {
    return new URL(path.replace(/^\//, ''), this.server.endsWith('/') ? this.server : `${this.server}/`);
  }

  async call<E extends Endpoint>(e: E, input: EndpointInput<E>): Promise<EndpointResult<E>> {
    const { params, query, body } = input as { params?: Record<string, string>; query?: Record<string, unknown>; body?: unknown };
    const path = endpointUrl(e, params, query);
    let res: Response;
    try {
      res = await fetch(this.url(path), {
        method: e.method,
        headers: { 'x-api-key': this.apiKey, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (err) {
      throw new Error(`cannot reach ${this.server}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`);
    }
    const text = await res.text();
    let parsed: { error?: { message?: string } } | undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok) throw new Error(parsed?.error?.message ?? `${e.method} ${path} answered ${res.status}`);
    return (res.status === 204 ? null : parsed) as EndpointResult<E>;
  }
}
