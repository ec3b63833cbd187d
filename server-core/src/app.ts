import fs from 'node:fs';
import cookie from '@fastify/cookie';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { registerAuth, requireDeclaredAccess } from './api/auth.js';
import { canonicalUrl } from './api/canonicalUrl.js';
import type { NodeContext } from './nodeContext.js';
import { errorHandler, notFoundHandler } from './api/errors.js';
import { registerHostCheck } from './api/hostCheck.js';
import { clientErrorHandler, frameworkErrors, refuseLongUrls } from './api/httpLayerErrors.js';
import { blockWritesWhileMigrating } from './migration/writeGuard.js';
import { registerOpenApi } from './api/openapi.js';
import { registerPortal } from './api/portalRoutes.js';
import { rootRoutes } from './api/rootRoutes.js';
import { registerOctopusDialect } from './octopus/dialect.js';
import { octopusRootFields } from './octopus/root.js';
import { octopusRoutes } from './octopus/routes.js';
import { octopusShared } from './octopus/shared.js';
import { registerSecurityHeaders } from './api/securityHeaders.js';
import { validatorCompiler } from './api/validation.js';
import { activityRoutes } from './activities/routes.js';
import { artifactRoutes } from './artifacts/routes.js';
import { auditRoutes } from './audit/routes.js';
import { configurationRoutes } from './configuration/routes.js';
import { deploymentRoutes } from './deployments/routes.js';
import { releaseRoutes } from './deployments/releaseRoutes.js';
import { environmentRoutes } from './environments/routes.js';
import { agentDownloadRoutes } from './agents/downloadRoutes.js';
import { targetRoutes } from './agents/routes.js';
import { interruptionRoutes } from './interruptions/routes.js';
import { lifecycleRoutes } from './lifecycles/routes.js';
import { libraryVariableSetRoutes } from './libraryVariableSets/routes.js';
import { MigrationJob } from './migration/migrationJob.js';
import { migrationRoutes } from './migration/routes.js';
import { nodeRoutes } from './nodes/routes.js';
import { packageRoutes } from './packages/routes.js';
import { projectRoutes } from './projects/routes.js';
import { runbookRoutes } from './runbooks/routes.js';
import { taskRoutes } from './tasks/routes.js';
import { teamRoutes } from './teams/routes.js';
import { triggerRoutes } from './triggers/routes.js';
import { userRoutes } from './users/routes.js';

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
  // Octopus's clients get Octopus's shapes on the paths they call (before any route is declared).
  registerOctopusDialect(app, validatorCompiler, octopusShared(ctx));
  requireDeclaredAccess(app);
  refuseLongUrls(app);
  registerHostCheck(app, ctx.config.host, ctx.config.publicUrls);
  await app.register(cookie);
  registerAuth(app, ctx.shoal, ctx.nodeCredential);
  const migration = new MigrationJob(ctx.config);
  blockWritesWhileMigrating(app, migration);
  registerSecurityHeaders(app, ctx.config.nodeName);

  await registerOpenApi(app, ctx.version);
  await app.register(rootRoutes, { ctx, extraFields: octopusRootFields(ctx) });
  for (const domain of [nodeRoutes, taskRoutes, artifactRoutes, userRoutes, teamRoutes, auditRoutes, configurationRoutes, packageRoutes]) {
    await app.register(domain, { ctx });
  }
  for (const domain of [environmentRoutes, lifecycleRoutes, projectRoutes, libraryVariableSetRoutes, releaseRoutes, deploymentRoutes, interruptionRoutes, runbookRoutes, triggerRoutes, activityRoutes, targetRoutes, agentDownloadRoutes]) {
    await app.register(domain, { ctx });
  }
  await app.register(migrationRoutes, { ctx, job: migration });
  await app.register(octopusRoutes, { ctx });

  await registerPortal(app, ctx.config.portalDir);
  app.setNotFoundHandler(notFoundHandler);
  return app;
}
