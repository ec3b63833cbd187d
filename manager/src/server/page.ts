/**
 * The screens shoal-manager serves: the page at / (no redirect: the token stays in the fragment)
 * and its assets, under a strict Content-Security-Policy. Anonymous, like any static file: what
 * they show comes from the bridge, which needs the session.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { MANAGER_CSP, NOT_BUILT, type PortalFile, type PortalFiles } from '../portal/portalFiles.js';

function send(reply: FastifyReply, file: PortalFile | undefined, missing: string) {
  reply.header('content-security-policy', MANAGER_CSP).header('referrer-policy', 'no-referrer').header('x-content-type-options', 'nosniff').header('cache-control', 'no-store');
  if (!file) return reply.status(404).type('text/plain; charset=utf-8').send(missing);
  return reply.type(file.type).send(file.body);
}

export function registerPage(app: FastifyInstance, files: PortalFiles): void {
  app.get('/', { config: { public: true } }, async (_req, reply) => send(reply, files.page(), NOT_BUILT));
  app.get<{ Params: { '*': string } }>('/assets/*', { config: { public: true } }, async (req, reply) => send(reply, files.asset(`/assets/${req.params['*']}`), 'Not found.'));
}
