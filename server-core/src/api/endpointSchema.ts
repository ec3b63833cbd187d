import type { Endpoint } from '../contract/endpoint.js';
import { withErrors } from '../contract/common.js';

/** The route schema of a contract endpoint: its request schemas and its answers, errors included. */
export function endpointSchema<E extends Endpoint>(e: E) {
  return {
    summary: e.summary,
    params: e.params as E['params'],
    querystring: e.querystring as E['querystring'],
    body: e.body as E['body'],
    response: withErrors(e.response as E['response']),
  };
}
