import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { notFoundHandler } from './errors.js';

/**
 * The web portal's static files (anonymous, like every static file), or a line saying it
 * is not built. Files are looked up per request, so a portal rebuilt or upgraded in place
 * is served without restarting the node; the route is declared here (serve: false) so
 * that, like every route, it says who may call it.
 */
/**
 * A path under /api in any spelling, even one encoded twice: those answer 404 in the API's
 * error shape, never the portal's page, so no request that meant the API gets a 200.
 */
function looksLikeApi(file: string): boolean {
  let p = file;
  for (let i = 0; i < 3; i++) {
    try {
      const next = decodeURIComponent(p);
      if (next === p) break;
      p = next;
    } catch {
      break;
    }
  }
  return /^[/\\]*api([/\\;?]|$)/i.test(p);
}

export async function registerPortal(app: FastifyInstance, portal: string | undefined): Promise<void> {
  if (!portal || !fs.existsSync(path.join(portal, 'index.html'))) {
    app.get('/', { config: { access: 'anonymous' } }, async (_req, reply) =>
      reply.type('text/plain').send('Shoal is running. The web portal is not built here; run `npm run build`. The API is under /api.'),
    );
    return;
  }
  await app.register(fastifyStatic, { root: portal, serve: false });
  app.get<{ Params: { '*': string } }>('/*', { schema: { hide: true }, config: { access: 'anonymous' } }, async (req, reply) => {
    const file = req.params['*'] || 'index.html';
    // The portal routes in the browser: a page path gets the app, but a missing asset or
    // API route is a real 404 (never index.html served as JavaScript).
    if (looksLikeApi(file)) return notFoundHandler(req, reply);
    if (fs.existsSync(path.join(portal, path.normalize(`/${file}`)))) return reply.sendFile(file);
    const isPage = !file.startsWith('assets/') && !/\.[a-z0-9]+$/i.test(file);
    if (isPage) return reply.type('text/html').sendFile('index.html');
    return notFoundHandler(req, reply);
  });
}
