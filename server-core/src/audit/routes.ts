import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { NodeContext } from '../nodeContext.js';
import { endpointSchema } from '../api/endpointSchema.js';
import { auditEndpoints } from '../contract/events.js';
import { listEvents } from './events.js';

/** The audit log, newest first (administrators: it records who did what from where). */
export const auditRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  app.get(auditEndpoints.listEvents.url, { schema: endpointSchema(auditEndpoints.listEvents), config: { access: 'admin' } },
    async (req) => listEvents(ctx.shoal, req.query.take, req.query.skip),
  );
};
