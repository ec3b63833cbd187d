import path from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { NodeContext } from '../nodeContext.js';
import { endpointSchema } from '../api/endpointSchema.js';
import { badRequest, conflict } from '../api/errors.js';
import { recordEvent } from '../audit/events.js';
import { migrationEndpoints, MigrationTarget } from '../contract/migration.js';
import { isServerDatabaseUrl, redactUrl } from '../db/open.js';
import { MigrationCheckError } from './checks.js';
import type { MigrationJob } from './migrationJob.js';

function validate(body: MigrationTarget): void {
  if (!isServerDatabaseUrl(body.targetUrl)) throw badRequest('targetUrl must be a postgres:// or sqlserver:// URL');
  if (!path.isAbsolute(body.storageRoot) && !/^\\\\/.test(body.storageRoot)) throw badRequest('storageRoot must be an absolute path (or a UNC path)');
}

/** Check failures are the user's to fix (409 with the reason); anything else is a server error. */
const asApiError = (err: unknown) => (err instanceof MigrationCheckError ? conflict(err.message) : err);

/** "Move to high availability": the same migration as `shoal migrate`, started from the portal. */
export const migrationRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext; job: MigrationJob }> = async (app, { ctx, job }) => {
  app.get(migrationEndpoints.status.url, { schema: endpointSchema(migrationEndpoints.status), config: { access: 'admin' } }, async () => job.current);

  app.post(migrationEndpoints.plan.url, { schema: endpointSchema(migrationEndpoints.plan), config: { access: 'admin' } }, async (req) => {
    validate(req.body);
    return job.plan(req.body.targetUrl, req.body.storageRoot).catch((err) => {
      throw asApiError(err);
    });
  });

  app.post(migrationEndpoints.start.url, { schema: endpointSchema(migrationEndpoints.start), config: { access: 'admin' } }, async (req, reply) => {
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
};
