import type { Endpoint } from '../contract/endpoint.js';
import { withErrors } from '../contract/common.js';

/**
 * The route schema of a contract endpoint: its request schemas and its answers, errors
 * included. Request parts the endpoint does not have are left out, not set to undefined
 * (Fastify warns at start for every part present but undefined).
 */
export function endpointSchema<E extends Endpoint>(e: E) {
  const parts = { params: e.params, querystring: e.querystring, body: e.body };
  return {
    summary: e.summary,
    ...Object.fromEntries(Object.entries(parts).filter(([, schema]) => schema !== undefined)),
    response: withErrors(e.response as E['response']),
  } as { summary: string | undefined; params: E['params']; querystring: E['querystring']; body: E['body']; response: ReturnType<typeof withErrors<E['response']>> };
}
