import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { NodeContext } from '../api/context.js';
import { Paging, withErrors } from '../contract/common.js';
import { AuditEventPage } from '../contract/events.js';
import { listEvents } from './events.js';

/** The audit log, newest first (administrators: it records who did what from where). */
export const auditRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  app.get(
    '/api/events',
    { schema: { querystring: Paging, response: withErrors({ 200: AuditEventPage }) }, config: { access: 'admin' } },
    async (req) => listEvents(ctx.shoal, req.query.take, req.query.skip),
  );
};
