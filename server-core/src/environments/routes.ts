import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { NodeContext } from '../nodeContext.js';
import { endpointSchema } from '../api/endpointSchema.js';
import { environmentEndpoints as e } from '../contract/environments.js';
import { actorOf } from '../resources/actor.js';
import { requireId } from '../resources/ids.js';
import { requireSpaceOfRoute } from '../resources/space.js';
import { listEnvironments, toEnvironment } from './environmentRows.js';
import { createEnvironment, deleteEnvironment, reorderEnvironments, requireEnvironment, updateEnvironment } from './service.js';

/**
 * Environments, in their order. Changing them is `admin`: teams limit Deployers to named
 * environments, so which environments exist is part of who may deploy where.
 */
export const environmentRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  const { shoal } = ctx;
  app.addHook('preHandler', requireSpaceOfRoute(shoal));

  app.get(e.listEnvironments.url, { schema: endpointSchema(e.listEnvironments), config: { access: 'read' } }, async (req) =>
    (await listEnvironments(shoal, req.params.spaceId)).map(toEnvironment),
  );

  app.post(e.createEnvironment.url, { schema: endpointSchema(e.createEnvironment), config: { access: 'admin' } }, async (req, reply) =>
    reply.status(201).send(await createEnvironment(shoal, actorOf(req), req.params.spaceId, req.body)),
  );

  app.put(e.reorderEnvironments.url, { schema: endpointSchema(e.reorderEnvironments), config: { access: 'admin' } }, async (req) =>
    reorderEnvironments(shoal, actorOf(req), req.params.spaceId, req.body.environmentIds),
  );

  app.get(e.getEnvironment.url, { schema: endpointSchema(e.getEnvironment), config: { access: 'read' } }, async (req) => {
    const { spaceId, id } = req.params;
    return toEnvironment(await requireEnvironment(shoal, spaceId, requireId('environment', id, spaceId)));
  });

  app.put(e.updateEnvironment.url, { schema: endpointSchema(e.updateEnvironment), config: { access: 'admin' } }, async (req) =>
    updateEnvironment(shoal, actorOf(req), req.params.spaceId, requireId('environment', req.params.id, req.params.spaceId), req.body),
  );

  app.delete(e.deleteEnvironment.url, { schema: endpointSchema(e.deleteEnvironment), config: { access: 'admin' } }, async (req, reply) => {
    await deleteEnvironment(shoal, actorOf(req), req.params.spaceId, requireId('environment', req.params.id, req.params.spaceId));
    return reply.status(204).send(null);
  });
};
