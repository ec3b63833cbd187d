/**
 * The proxy for a host that speaks the Fetch API's Request and Response (the desktop app's
 * app:// protocol handler): the request body and the cluster's answer are streams both ways,
 * exactly as over shoal-manager's HTTP.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { ClusterClient } from '../cluster/clusterClient.js';
import { errorBody, forwardToCluster, ProxyError } from './apiProxy.js';

export function errorResponse(status: number, code: string, message: string): Response {
  return new Response(errorBody(code, message), { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } });
}

export async function proxyFetchRequest(client: ClusterClient, apiPath: string, request: Request): Promise<Response> {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => (headers[name] = value));
  const hasBody = request.body !== null && request.method !== 'GET' && request.method !== 'HEAD';
  try {
    const answer = await forwardToCluster(client, apiPath, {
      method: request.method,
      headers,
      body: hasBody ? Readable.fromWeb(request.body as NodeReadableStream<Uint8Array>) : undefined,
      signal: request.signal,
    });
    const out = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) for (const v of Array.isArray(value) ? value : [value]) out.append(name, v);
    // A page that stops reading (a closed live log) cancels the stream, which ends the cluster call.
    const body = answer.status === 204 || answer.status === 304 || request.method === 'HEAD' ? null : (Readable.toWeb(answer.body) as ReadableStream<Uint8Array>);
    if (body === null) answer.body.resume();
    return new Response(body, { status: answer.status, headers: out });
  } catch (err) {
    if (err instanceof ProxyError) return errorResponse(err.status, err.code, err.message);
    throw err;
  }
}
