import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { NodeContext } from '../nodeContext.js';
import { endpointSchema } from '../api/endpointSchema.js';
import { activityEndpoints as e } from '../contract/activities.js';
import { requireTask } from '../tasks/service.js';
import { taskDetails } from './taskDetails.js';

/** The log of any task as a tree of activities (deployments and runbook runs have steps). */
export const activityRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  app.get(e.taskDetails.url, { schema: endpointSchema(e.taskDetails), config: { access: 'read' } }, async (req) =>
    taskDetails(ctx.shoal, await requireTask(ctx.shoal, req.params.id), ctx.config.storage.taskLogs, req.query.tail),
  );
};
