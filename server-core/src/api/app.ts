import fs from 'node:fs';
import path from 'node:path';
import cookie from '@fastify/cookie';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { artifactRoutes } from '../artifacts/routes.js';
import { auditRoutes } from '../audit/routes.js';
import { configurationRoutes } from '../configuration/routes.js';
import { migrationRoutes } from '../migration/routes.js';
import { nodeRoutes } from '../nodes/routes.js';
import { packageRoutes } from '../packages/routes.js';
import { taskRoutes } from '../tasks/routes.js';
import { teamRoutes } from '../teams/routes.js';
import { userRoutes } from '../users/routes.js';
import { MigrationJob } from '../migration/migrationJob.js';
import { registerAuth, requireDeclaredAccess } from './auth.js';
import { blockWritesWhileMigrating } from './migrationGuard.js';
import { canonicalUrl } from './canonicalUrl.js';
import { registerHostCheck } from './hostCheck.js';
import { registerOpenApi } from './openapi.js';
import { registerPortal } from './portalRoutes.js';
import { rootRoutes } from './rootRoutes.js';
import { clientErrorHandler, frameworkErrors, refuseLongUrls } from './httpLayerErrors.js';
import { registerSecurityHeaders } from './securityHeaders.js';
import type { NodeContext } from './context.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { validatorCompiler } from './validation.js';

/** JSON endpoints take at most this much; package uploads (streamed) are not JSON. */
export const JSON_BODY_LIMIT = 1024 * 1024;

/** Builds the HTTP app of one node; `listen` is the caller's business. */
export async function buildApp(ctx: NodeContext): Promise<FastifyInstance> {
  const app = Fastify({
    // HTTPS on the node itself (`--tls-cert`/`--tls-key`); usually TLS ends at the load balancer.
    ...(ctx.config.tls ? { https: { cert: fs.readFileSync(ctx.config.tls.certFile), key: fs.readFileSync(ctx.config.tls.keyFile) } } : {}),
    loggerInstance: ctx.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: JSON_BODY_LIMIT,
    return503OnClosing: true,
    forceCloseConnections: true,
    // Every spelling of a route's path reaches that route (and its declared access).
    rewriteUrl: (req) => canonicalUrl(req.url ?? '/'),
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, caseSensitive: false, maxParamLength: 500 },
    clientErrorHandler,
    frameworkErrors,
    // req.ip is the rightmost address not in this list, so a client cannot forge its
    // address through X-Forwarded-For unless the peer is a trusted load balancer.
    trustProxy: ctx.config.trustedProxies.length ? ctx.config.trustedProxies : false,
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler(errorHandler);
  requireDeclaredAccess(app);
  refuseLongUrls(app);
  registerHostCheck(app, ctx.config.host, ctx.config.publicUrls);
  await app.register(cookie);
  registerAuth(app, ctx.shoal);
  const migration = new MigrationJob(ctx.config);
  blockWritesWhileMigrating(app, migration);
  registerSecurityHeaders(app, ctx.config.nodeName);

  await registerOpenApi(app, ctx.version);
  for (const domain of [rootRoutes, nodeRoutes, taskRoutes, artifactRoutes, userRoutes, teamRoutes, auditRoutes, configurationRoutes, packageRoutes]) {
    await app.register(domain, { ctx });
  }
  await app.register(migrationRoutes, { ctx, job: migration });

  await registerPortal(app, ctx.config.portalDir);
  app.setNotFoundHandler(notFoundHandler);
  return app;
}
