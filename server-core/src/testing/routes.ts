import type { FastifyInstance } from 'fastify';

export interface RouteRef {
  method: string;
  /** As registered, e.g. `/api/tasks/:id/log`. */
  path: string;
  /** A concrete URL for it: every parameter and wildcard filled with `fill`. */
  url: (fill?: Record<string, string>) => string;
}

/** Every route the app serves, read from Fastify's own route tree (so new routes are covered by default). */
export function routesOf(app: FastifyInstance): RouteRef[] {
  const out: RouteRef[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^(.*?)(?:└──|├──) (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    stack.length = m[1]!.length / 4;
    stack.push(m[2]!);
    const path = stack.join('');
    const url = (fill: Record<string, string> = {}) =>
      path.replace(/:(\w+)/g, (_, name: string) => fill[name] ?? '1').replace(/\*$/, fill['*'] ?? 'x');
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) out.push({ method, path, url });
  }
  return out;
}
