import fs from 'node:fs';
import path from 'node:path';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { MigrationJob } from '../migration/migrationJob.js';
import { registerAuth, requireDeclaredAccess } from './auth.js';
import { canonicalUrl } from './canonicalUrl.js';
import type { NodeContext } from './context.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { artifactRoutes } from './routes/artifacts.js';
import { configurationRoutes } from './routes/configuration.js';
import { eventRoutes } from './routes/events.js';
import { nodeRoutes } from './routes/nodes.js';
import { blockWritesWhileMigrating, migrationRoutes } from './routes/migration.js';
import { packageRoutes } from './routes/packages.js';
import { storageConfigurationRoutes } from './routes/storageConfiguration.js';
import { taskRoutes } from './routes/tasks.js';
import { teamRoutes } from './routes/teams.js';
import { userRoutes } from './routes/users.js';
import { validatorCompiler } from './validation.js';

/** JSON endpoints take at most this much; package uploads (streamed) are not JSON. */
export const JSON_BODY_LIMIT = 1024 * 1024;

/** Builds the HTTP app of one node; `listen` is the caller's business. */
export async function buildApp(ctx: NodeContext): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: JSON_BODY_LIMIT,
    return503OnClosing: true,
    forceCloseConnections: true,
    // Every spelling of a route's path reaches that route (and its declared access).
    rewriteUrl: (req) => canonicalUrl(req.url ?? '/'),
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, caseSensitive: false },
    // req.ip is the rightmost address not in this list, so a client cannot forge its
    // address through X-Forwarded-For unless the peer is a trusted load balancer.
    trustProxy: ctx.config.trustedProxies.length ? ctx.config.trustedProxies : false,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler(errorHandler);
  requireDeclaredAccess(app);
  await app.register(cookie);
  registerAuth(app, ctx.shoal, ctx.nodeCredential);
  const migration = new MigrationJob(ctx.config);
  blockWritesWhileMigrating(app, migration);
  app.addHook('onSend', async (_req, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    // Which node answered: operators behind a load balancer (and the cluster test) read it.
    reply.header('x-shoal-node', ctx.config.nodeName);
  });

  nodeRoutes(app, ctx);
  taskRoutes(app, ctx);
  userRoutes(app, ctx);
  teamRoutes(app, ctx);
  eventRoutes(app, ctx);
  configurationRoutes(app, ctx);
  storageConfigurationRoutes(app, ctx);
  artifactRoutes(app, ctx);
  migrationRoutes(app, ctx, migration);
  await packageRoutes(app, ctx);

  const portal = ctx.config.portalDir;
  const index = portal && path.join(portal, 'index.html');
  if (index && fs.existsSync(index)) {
    // Files are looked up per request, so a portal rebuilt or upgraded in place is served
    // without restarting the node. The route is declared here (serve: false) so that it,
    // like every route, says who may call it.
    await app.register(fastifyStatic, { root: portal, serve: false });
    app.get<{ Params: { '*': string } }>('/*', { config: { access: 'anonymous' } }, async (req, reply) => {
      const file = req.params['*'] || 'index.html';
      // The portal routes in the browser: a page path gets the app, but a missing asset or
      // API route is a real 404 (never index.html served as JavaScript).
      if (/^api(\/|$)/i.test(file)) return notFoundHandler(req, reply);
      if (fs.existsSync(path.join(portal, path.normalize(`/${file}`)))) return reply.sendFile(file);
      const isPage = !file.startsWith('assets/') && !/\.[a-z0-9]+$/i.test(file);
      if (isPage) return reply.type('text/html').sendFile('index.html');
      return notFoundHandler(req, reply);
    });
  } else {
    app.get('/', { config: { access: 'anonymous' } }, async (_req, reply) =>
      reply.type('text/plain').send('Shoal is running. The web portal is not built here; run `npm run build`. The API is under /api.'),
    );
  }
  app.setNotFoundHandler(notFoundHandler);
  return app;
}
