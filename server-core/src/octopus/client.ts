import type { FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `only`: a path only Octopus's clients call, so it always answers and errs in Octopus's shape. */
    octopus?: 'only';
  }
}

/** The header Octopus's clients send their API key in (the TS client sends it, empty, even without a key). */
export const OCTOPUS_KEY_HEADER = 'x-octopus-apikey';

/** Query parameters only Octopus's clients send to the paths the facade shares with the native API (lower case). */
const OCTOPUS_ONLY_QUERY = new Set(['ids', 'partialname', 'overwritemode']);

/** `ts-octopusdeploy …` (the npm client and the GitHub Actions) and `go-octopusdeploy/…` (the `octopus` CLI). */
const OCTOPUS_AGENT = /^(ts|go)-octopusdeploy\b/i;

const decided = new WeakMap<FastifyRequest, boolean>();

/**
 * Whether a request comes from one of Octopus's clients: it carries `X-Octopus-ApiKey`, an
 * Octopus client's User-Agent, or a query parameter only those clients send.
 */
export function isOctopusClient(req: FastifyRequest): boolean {
  let answer = decided.get(req);
  if (answer === undefined) {
    answer = req.headers[OCTOPUS_KEY_HEADER] !== undefined || OCTOPUS_AGENT.test(String(req.headers['user-agent'] ?? '')) || hasOctopusQuery(req.url);
    decided.set(req, answer);
  }
  return answer;
}

function hasOctopusQuery(url: string): boolean {
  const q = url.indexOf('?');
  if (q < 0) return false;
  for (const key of new URLSearchParams(url.slice(q + 1)).keys()) if (OCTOPUS_ONLY_QUERY.has(key.toLowerCase())) return true;
  return false;
}

/** Whether this request is answered (and its errors shaped) as Octopus's API would. */
export const speaksOctopus = (req: FastifyRequest): boolean => req.routeOptions?.config?.octopus === 'only' || isOctopusClient(req);
