import path from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { NodeContext } from '../api/context.js';
import { badRequest, conflict } from '../api/errors.js';
import { recordEvent } from '../audit/events.js';
import { withErrors } from '../contract/common.js';
import { MigrationPlan, MigrationStatus, MigrationTarget } from '../contract/migration.js';
import { databaseKind, redactUrl } from '../db/open.js';
import { MigrationCheckError } from './checks.js';
import type { MigrationJob } from './migrationJob.js';

function validate(body: MigrationTarget): void {
  if (databaseKind(body.targetUrl) === 'sqlite') throw badRequest('targetUrl must be a postgres:// or sqlserver:// URL');
  if (!path.isAbsolute(body.storageRoot) && !/^\\\\/.test(body.storageRoot)) throw badRequest('storageRoot must be an absolute path (or a UNC path)');
}

/** Check failures are the user's to fix (409 with the reason); anything else is a server error. */
const asApiError = (err: unknown) => (err instanceof MigrationCheckError ? conflict(err.message) : err);

/** "Move to high availability": the same migration as `shoal migrate`, started from the portal. */
export const migrationRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext; job: MigrationJob }> = async (app, { ctx, job }) => {
  app.get('/api/migration', { schema: { response: withErrors({ 200: MigrationStatus }) }, config: { access: 'admin' } }, async () => job.current);

  app.post('/api/migration/plan', { schema: { body: MigrationTarget, response: withErrors({ 200: MigrationPlan }) }, config: { access: 'admin' } }, async (req) => {
    validate(req.body);
    return job.plan(req.body.targetUrl, req.body.storageRoot).catch((err) => {
      throw asApiError(err);
    });
  });

  app.post('/api/migration/start', { schema: { body: MigrationTarget, response: withErrors({ 202: MigrationStatus }) }, config: { access: 'admin' } }, async (req, reply) => {
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
