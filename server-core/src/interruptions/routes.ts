import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { NodeContext } from '../nodeContext.js';
import { endpointSchema } from '../api/endpointSchema.js';
import { badRequest } from '../api/errors.js';
import { interruptionEndpoints as e } from '../contract/deployments.js';
import { parseTaskId } from '../queue/taskRecord.js';
import { actorOf } from '../resources/actor.js';
import { requireId } from '../resources/ids.js';
import { requireSpaceOfRoute } from '../resources/space.js';
import { getInterruption, listInterruptions, submitInterruption } from './service.js';

/**
 * Manual interventions: read with `read`; submitting is `deploy`, and the handler checks the
 * environment and the step's responsible teams before anything changes.
 */
export const interruptionRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  const { shoal } = ctx;
  app.addHook('preHandler', requireSpaceOfRoute(shoal));

  app.get(e.listInterruptions.url, { schema: endpointSchema(e.listInterruptions), config: { access: 'read' } }, async (req) => {
    const task = req.query.taskId === undefined ? undefined : parseTaskId(req.query.taskId);
    if (req.query.taskId !== undefined && task === undefined) throw badRequest(`query.taskId: ${req.query.taskId} is not a task id`);
    return listInterruptions(shoal, actorOf(req), req.params.spaceId, { pendingOnly: req.query.pendingOnly, taskId: task });
  });

  app.get(e.getInterruption.url, { schema: endpointSchema(e.getInterruption), config: { access: 'read' } }, async (req) =>
    getInterruption(shoal, actorOf(req), req.params.spaceId, requireId('interruption', req.params.id, req.params.spaceId)),
  );

  app.post(e.submitInterruption.url, { schema: endpointSchema(e.submitInterruption), config: { access: 'deploy' } }, async (req) =>
    submitInterruption(shoal, actorOf(req), req.params.spaceId, requireId('interruption', req.params.id, req.params.spaceId), req.body.result, req.body.notes),
  );
};
