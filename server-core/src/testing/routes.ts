import type { FastifyInstance } from 'fastify';
import type { Access, DeclaredRoute } from '../api/auth.js';

export interface RouteRef {
  method: string;
  /** As registered, e.g. `/api/tasks/:id/log`. */
  path: string;
  access: Access;
  schema: DeclaredRoute['schema'];
  /** A path only Octopus's clients call: it answers and errs in Octopus's shape (`{ErrorMessage, Errors}`). */
  octopusOnly: boolean;
  /** A concrete URL for it: every parameter and wildcard filled with `fill`. */
  url: (fill?: Record<string, string>) => string;
}

/** Every route the app serves, as Fastify registered it (so new routes are covered by default). */
export function routesOf(app: FastifyInstance): RouteRef[] {
  return app.declaredRoutes.map((r) => ({
    method: r.method,
    path: r.url,
    access: r.access,
    schema: r.schema,
    octopusOnly: (r.config as { octopus?: string } | undefined)?.octopus === 'only',
    url: (fill: Record<string, string> = {}) => r.url.replace(/:(\w+)/g, (_, name: string) => fill[name] ?? '1').replace(/\*$/, fill['*'] ?? 'x'),
  }));
}
