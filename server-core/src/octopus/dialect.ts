import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchemaCompiler, RouteOptions } from 'fastify';
import type { Endpoint } from '../contract/endpoint.js';
import { speaksOctopus } from './client.js';

/** What the facade answers on one route: the Octopus-shaped body (status set on `reply`), or `reply` once it has sent something else. */
export type OctopusHandler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** A native route whose path Octopus's clients also call, and what the facade answers them there. */
export interface SharedRoute {
  endpoint: Endpoint;
  octopus: OctopusHandler;
}

/** Sends an Octopus-shaped answer as it is: the native response schema would drop its PascalCase fields. */
export async function answerOctopus(handler: OctopusHandler, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const body = await handler(req, reply);
  if (body !== reply && !reply.sent) void reply.serializer(JSON.stringify).type('application/json; charset=utf-8').send(body);
}

type Validator = ((data: unknown, ctx?: { parentData?: unknown }) => boolean) & { errors?: any; schemaEnv?: unknown };

/** The native validator, skipped for an Octopus client's request: its handler binds the request itself. */
function skippedForOctopus(native: Validator): Validator {
  const wrapped: Validator = (data, ctx) => {
    const req = ctx?.parentData as FastifyRequest | undefined;
    return (req?.routeOptions !== undefined && speaksOctopus(req)) || native(data, ctx);
  };
  wrapped.schemaEnv = native.schemaEnv ?? true;
  Object.defineProperty(wrapped, 'errors', { get: () => native.errors });
  return wrapped;
}

/**
 * The one rule of the facade, applied where routes are declared: a shared route (a native
 * path Octopus's clients also call) answers an Octopus client's request with the facade's
 * handler, unvalidated by the native schemas, and everyone else with the native handler; every
 * error to an Octopus client (or on an Octopus-only route) leaves as `{ErrorMessage, Errors}`.
 * Call before the domains register their routes.
 */
export function registerOctopusDialect(app: FastifyInstance, validatorCompiler: FastifySchemaCompiler<any>, shared: SharedRoute[]): void {
  const byKey = new Map(shared.map((s) => [`${s.endpoint.method} ${s.endpoint.url}`, s]));
  const attached = new Set<string>();
  app.addHook('onRoute', (route: RouteOptions) => {
    const key = `${String(route.method)} ${route.url}`;
    const s = byKey.get(key);
    if (!s || attached.has(key)) return;
    attached.add(key);
    const native = route.handler;
    route.handler = function (this: FastifyInstance, req, reply) {
      return speaksOctopus(req) ? answerOctopus(s.octopus, req, reply) : native.call(this, req, reply);
    };
    const compile = route.validatorCompiler ?? validatorCompiler;
    route.validatorCompiler = (args) => skippedForOctopus(compile(args) as Validator);
  });
  app.addHook('onReady', async () => {
    const missing = [...byKey.keys()].filter((k) => !attached.has(k));
    if (missing.length) throw new Error(`the Octopus facade shares routes the native API does not serve: ${missing.join(', ')}`);
  });
  app.addHook('onSend', async (req, reply, payload) => {
    if (reply.statusCode < 400 || typeof payload !== 'string' || !speaksOctopus(req)) return payload;
    const message = nativeErrorMessage(payload);
    if (message === undefined) return payload;
    reply.type('application/json; charset=utf-8');
    return JSON.stringify(octopusError(message));
  });
}

/** Octopus's error body: the TS client shows `ErrorMessage` then each of `Errors`; the Go CLI prints both. */
export const octopusError = (message: string, errors: string[] = []) => ({ ErrorMessage: message, Errors: errors });

function nativeErrorMessage(payload: string): string | undefined {
  try {
    const message = (JSON.parse(payload) as { error?: { message?: unknown } }).error?.message;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}
