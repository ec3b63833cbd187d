import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { NodeContext } from '../nodeContext.js';
import { NoContent, withErrors } from '../contract/common.js';
import { Environment, EnvironmentBody, EnvironmentList, EnvironmentOrderBody, SpaceIdParams, SpaceParams } from '../contract/deployments.js';
import { actorOf } from '../resources/actor.js';
import { requireId } from '../resources/ids.js';
import { requireSpace } from '../resources/space.js';
import { listEnvironments, toEnvironment } from './environmentRows.js';
import { createEnvironment, deleteEnvironment, reorderEnvironments, requireEnvironment, updateEnvironment } from './service.js';

/**
 * Environments, in their order. Changing them is `admin`: teams limit Deployers to named
 * environments, so which environments exist is part of who may deploy where.
 */
export const environmentRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  const { shoal } = ctx;
  app.addHook('preHandler', async (req) => requireSpace(shoal, (req.params as { spaceId: string }).spaceId));

  app.get('/api/:spaceId/environments', { schema: { params: SpaceParams, response: withErrors({ 200: EnvironmentList }) }, config: { access: 'read' } }, async (req) =>
    (await listEnvironments(shoal, req.params.spaceId)).map(toEnvironment),
  );

  app.post(
    '/api/:spaceId/environments',
    { schema: { params: SpaceParams, body: EnvironmentBody, response: withErrors({ 201: Environment }) }, config: { access: 'admin' } },
    async (req, reply) => reply.status(201).send(await createEnvironment(shoal, actorOf(req), req.params.spaceId, req.body)),
  );

  app.put(
    '/api/:spaceId/environments/sort-order',
    { schema: { params: SpaceParams, body: EnvironmentOrderBody, response: withErrors({ 200: EnvironmentList }) }, config: { access: 'admin' } },
    async (req) => reorderEnvironments(shoal, actorOf(req), req.params.spaceId, req.body.environmentIds),
  );

  app.get('/api/:spaceId/environments/:id', { schema: { params: SpaceIdParams, response: withErrors({ 200: Environment }) }, config: { access: 'read' } }, async (req) => {
    const { spaceId, id } = req.params;
    return toEnvironment(await requireEnvironment(shoal, spaceId, requireId('environment', id, spaceId)));
  });

  app.put(
    '/api/:spaceId/environments/:id',
    { schema: { params: SpaceIdParams, body: EnvironmentBody, response: withErrors({ 200: Environment }) }, config: { access: 'admin' } },
    async (req) => updateEnvironment(shoal, actorOf(req), req.params.spaceId, requireId('environment', req.params.id, req.params.spaceId), req.body),
  );

  app.delete(
    '/api/:spaceId/environments/:id',
    { schema: { params: SpaceIdParams, response: withErrors({ 204: NoContent }) }, config: { access: 'admin' } },
    async (req, reply) => {
      await deleteEnvironment(shoal, actorOf(req), req.params.spaceId, requireId('environment', req.params.id, req.params.spaceId));
      return reply.status(204).send(null);
    },
  );
};
