import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { NodeContext } from '../nodeContext.js';
import { endpointSchema } from '../api/endpointSchema.js';
import { lifecycleEndpoints as e } from '../contract/environments.js';
import { listEnvironments } from '../environments/environmentRows.js';
import { actorOf } from '../resources/actor.js';
import { requireId } from '../resources/ids.js';
import { requireSpaceOfRoute } from '../resources/space.js';
import { listLifecycles, toLifecycle } from './lifecycleRows.js';
import { createLifecycle, deleteLifecycle, requireLifecycle, updateLifecycle } from './service.js';

/** Lifecycles: the promotion rules between environments. Changing them is `admin`, like environments. */
export const lifecycleRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  const { shoal } = ctx;
  app.addHook('preHandler', requireSpaceOfRoute(shoal));

  app.get(e.listLifecycles.url, { schema: endpointSchema(e.listLifecycles), config: { access: 'read' } }, async (req) => {
    const envs = await listEnvironments(shoal, req.params.spaceId);
    return (await listLifecycles(shoal, req.params.spaceId)).map((l) => toLifecycle(l, envs));
  });

  app.post(e.createLifecycle.url, { schema: endpointSchema(e.createLifecycle), config: { access: 'admin' } }, async (req, reply) =>
    reply.status(201).send(await createLifecycle(shoal, actorOf(req), req.params.spaceId, req.body)),
  );

  app.get(e.getLifecycle.url, { schema: endpointSchema(e.getLifecycle), config: { access: 'read' } }, async (req) => {
    const { spaceId, id } = req.params;
    return toLifecycle(await requireLifecycle(shoal, spaceId, requireId('lifecycle', id, spaceId)), await listEnvironments(shoal, spaceId));
  });

  app.put(e.updateLifecycle.url, { schema: endpointSchema(e.updateLifecycle), config: { access: 'admin' } }, async (req) =>
    updateLifecycle(shoal, actorOf(req), req.params.spaceId, requireId('lifecycle', req.params.id, req.params.spaceId), req.body),
  );

  app.delete(e.deleteLifecycle.url, { schema: endpointSchema(e.deleteLifecycle), config: { access: 'admin' } }, async (req, reply) => {
    await deleteLifecycle(shoal, actorOf(req), req.params.spaceId, requireId('lifecycle', req.params.id, req.params.spaceId));
    return reply.status(204).send(null);
  });
};
