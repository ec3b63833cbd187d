import fs from 'node:fs';
import path from 'node:path';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { MigrationJob } from '../migration/migrationJob.js';
import { registerAuth } from './auth.js';
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
    routerOptions: { ignoreTrailingSlash: true },
    // req.ip is the rightmost address not in this list, so a client cannot forge its
    // address through X-Forwarded-For unless the peer is a trusted load balancer.
    trustProxy: ctx.config.trustedProxies.length ? ctx.config.trustedProxies : false,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler(errorHandler);
  await app.register(cookie);
  registerAuth(app, ctx.shoal);
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
  eventRoutes(app, ctx);
  configurationRoutes(app, ctx);
  storageConfigurationRoutes(app, ctx);
  artifactRoutes(app, ctx);
  migrationRoutes(app, ctx, migration);
  await packageRoutes(app, ctx);

  const portal = ctx.config.portalDir;
  const index = portal && path.join(portal, 'index.html');
  if (index && fs.existsSync(index)) {
    // wildcard: files are looked up per request, so a portal rebuilt or upgraded in place
    // is served without restarting the node.
    await app.register(fastifyStatic, { root: portal, wildcard: true, index: 'index.html' });
    // The portal routes in the browser: a page path gets the app, but a missing asset or
    // API route is a real 404 (never index.html served as JavaScript).
    app.setNotFoundHandler((req, reply) => {
      const pathname = req.url.split('?')[0]!;
      const isPage = req.method === 'GET' && !pathname.startsWith('/api/') && !pathname.startsWith('/assets/') && !/\.[a-z0-9]+$/i.test(pathname);
      if (isPage) return reply.type('text/html').sendFile('index.html');
      return notFoundHandler(req, reply);
    });
  } else {
    app.setNotFoundHandler(notFoundHandler);
    app.get('/', { config: { anonymous: true } }, async (_req, reply) =>
      reply.type('text/plain').send('Shoal is running. The web portal is not built here; run `npm run build`. The API is under /api.'),
    );
  }
  return app;
}
