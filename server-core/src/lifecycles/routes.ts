import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { NodeContext } from '../nodeContext.js';
import { NoContent, withErrors } from '../contract/common.js';
import { Lifecycle, LifecycleBody, LifecycleList, SpaceIdParams, SpaceParams } from '../contract/deployments.js';
import { listEnvironments } from '../environments/environmentRows.js';
import { actorOf } from '../resources/actor.js';
import { requireId } from '../resources/ids.js';
import { requireSpace } from '../resources/space.js';
import { listLifecycles, toLifecycle } from './lifecycleRows.js';
import { createLifecycle, deleteLifecycle, requireLifecycle, updateLifecycle } from './service.js';

/** Lifecycles: the promotion rules between environments. Changing them is `admin`, like environments. */
export const lifecycleRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  const { shoal } = ctx;
  app.addHook('preHandler', async (req) => requireSpace(shoal, (req.params as { spaceId: string }).spaceId));

  app.get('/api/:spaceId/lifecycles', { schema: { params: SpaceParams, response: withErrors({ 200: LifecycleList }) }, config: { access: 'read' } }, async (req) => {
    const envs = await listEnvironments(shoal, req.params.spaceId);
    return (await listLifecycles(shoal, req.params.spaceId)).map((l) => toLifecycle(l, envs));
  });

  app.post(
    '/api/:spaceId/lifecycles',
    { schema: { params: SpaceParams, body: LifecycleBody, response: withErrors({ 201: Lifecycle }) }, config: { access: 'admin' } },
    async (req, reply) => reply.status(201).send(await createLifecycle(shoal, actorOf(req), req.params.spaceId, req.body)),
  );

  app.get('/api/:spaceId/lifecycles/:id', { schema: { params: SpaceIdParams, response: withErrors({ 200: Lifecycle }) }, config: { access: 'read' } }, async (req) => {
    const { spaceId, id } = req.params;
    return toLifecycle(await requireLifecycle(shoal, spaceId, requireId('lifecycle', id, spaceId)), await listEnvironments(shoal, spaceId));
  });

  app.put(
    '/api/:spaceId/lifecycles/:id',
    { schema: { params: SpaceIdParams, body: LifecycleBody, response: withErrors({ 200: Lifecycle }) }, config: { access: 'admin' } },
    async (req) => updateLifecycle(shoal, actorOf(req), req.params.spaceId, requireId('lifecycle', req.params.id, req.params.spaceId), req.body),
  );

  app.delete('/api/:spaceId/lifecycles/:id', { schema: { params: SpaceIdParams, response: withErrors({ 204: NoContent }) }, config: { access: 'admin' } }, async (req, reply) => {
    await deleteLifecycle(shoal, actorOf(req), req.params.spaceId, requireId('lifecycle', req.params.id, req.params.spaceId));
    return reply.status(204).send(null);
  });
};
