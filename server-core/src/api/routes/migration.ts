import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { recordEvent } from '../../audit/events.js';
import { isServerDatabaseUrl, redactUrl } from '../../db/open.js';
import { MigrationCheckError } from '../../migration/checks.js';
import type { MigrationJob } from '../../migration/migrationJob.js';
import type { NodeContext } from '../context.js';
import { ApiError, badRequest, conflict } from '../errors.js';

const Target = Type.Object(
  {
    targetUrl: Type.String({ minLength: 1, maxLength: 2000 }),
    storageRoot: Type.String({ minLength: 1, maxLength: 2000 }),
  },
  { additionalProperties: false },
);

function validate(body: Static<typeof Target>): void {
  if (!isServerDatabaseUrl(body.targetUrl)) throw badRequest('targetUrl must be a postgres:// or sqlserver:// URL');
  if (!path.isAbsolute(body.storageRoot) && !/^\\\\/.test(body.storageRoot)) throw badRequest('storageRoot must be an absolute path (or a UNC path)');
}

/** Check failures are the user's to fix (409 with the reason); anything else is a server error. */
const asApiError = (err: unknown) => (err instanceof MigrationCheckError ? conflict(err.message) : err);

/**
 * While the portal's migration copies this node's database, the node takes no changes
 * through the API (they would be lost, or break the verification): everything but reads
 * answers 503. Register before the routes.
 */
export function blockWritesWhileMigrating(app: FastifyInstance, job: MigrationJob): void {
  app.addHook('onRequest', async (req) => {
    if (job.running && req.method !== 'GET' && req.method !== 'HEAD') {
      throw new ApiError(503, 'MigrationInProgress', 'This node is moving to high availability; changes are refused until the migration ends.');
    }
  });
}

/** "Move to high availability": the same migration as `shoal migrate`, started from the portal. */
export function migrationRoutes(app: FastifyInstance, ctx: NodeContext, job: MigrationJob): void {
  app.get('/api/migration', { config: { access: 'admin' } }, async () => job.current);

  app.post<{ Body: Static<typeof Target> }>('/api/migration/plan', { schema: { body: Target }, config: { access: 'admin' } }, async (req) => {
    validate(req.body);
    return job.plan(req.body.targetUrl, req.body.storageRoot).catch((err) => {
      throw asApiError(err);
    });
  });

  app.post<{ Body: Static<typeof Target> }>('/api/migration/start', { schema: { body: Target }, config: { access: 'admin' } }, async (req, reply) => {
    validate(req.body);
    if (!job.current.available) throw conflict('This node already runs on a shared database.');
    const target = redactUrl(req.body.targetUrl);
    await job
      .start(req.body.targetUrl, req.body.storageRoot, () =>
        recordEvent(ctx.shoal, { username: req.user!.username, action: 'migration.start', target, clientIp: req.ip }),
      )
      .catch((err) => {
        throw asApiError(err);
      });
    return reply.status(202).send(job.current);
  });
}
