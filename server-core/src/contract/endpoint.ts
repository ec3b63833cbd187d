import type { Static, TSchema } from '@sinclair/typebox';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * One route of the native API as both sides see it: the node registers it with these
 * schemas (api/endpointSchema.ts), clients call it through them (the portal's typed client).
 */
export interface Endpoint {
  method: HttpMethod;
  /** Fastify's syntax: `/api/tasks/:id`. */
  url: string;
  summary: string;
  params?: TSchema;
  querystring?: TSchema;
  body?: TSchema;
  /** The success answers; every route may also answer the error shape. */
  response: { 200?: TSchema; 201?: TSchema; 202?: TSchema; 204?: TSchema };
}

export const endpoint = <const E extends Endpoint>(e: E): E => e;

type SuccessSchema<E extends Endpoint> = Extract<E['response'][keyof E['response'] & (200 | 201 | 202 | 204)], TSchema>;
/** What a successful call answers. */
export type EndpointResult<E extends Endpoint> = Static<SuccessSchema<E>>;
/** What a call takes: params, query and body, each only when the endpoint has one. */
export type EndpointInput<E extends Endpoint> = (E['params'] extends TSchema ? { params: Static<E['params']> } : { params?: never }) &
  (E['querystring'] extends TSchema ? { query?: Partial<Static<E['querystring']>> } : { query?: never }) &
  (E['body'] extends TSchema ? { body: Static<E['body']> } : { body?: never });

/** The URL of a call: `:name` parameters filled (encoded), the query string appended. */
export function endpointUrl(e: Endpoint, params: Record<string, string | number> = {}, query: Record<string, unknown> = {}): string {
  const path = e.url.replace(/:(\w+)|\*$/g, (_m, name: string | undefined) => {
    const value = params[name ?? '*'];
    if (value === undefined) throw new Error(`${e.url} needs the parameter ${name ?? '*'}`);
    return name ? encodeURIComponent(String(value)) : String(value).split('/').map(encodeURIComponent).join('/');
  });
  const q = Object.entries(query)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${Array.isArray(v) ? v.map((x) => encodeURIComponent(String(x))).join(',') : encodeURIComponent(String(v))}`);
  return q.length ? `${path}?${q.join('&')}` : path;
}
