import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { NodeContext } from '../nodeContext.js';
import { badRequest } from '../api/errors.js';
import { withErrors } from '../contract/common.js';
import { SpaceIdParams, SpaceParams } from '../contract/deployments.js';
import { Release, ReleaseBody, ReleaseDetail, ReleasePage, ReleaseQuery } from '../contract/releases.js';
import { actorOf } from '../resources/actor.js';
import { parseId, requireId } from '../resources/ids.js';
import { requireSpace } from '../resources/space.js';
import { listReleases, toRelease } from './releaseRows.js';
import { createRelease, releaseDetail, requireRelease } from './service.js';

/** Releases: created with `deploy` (build servers and Deployers), read with `read`. */
export const releaseRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  const { shoal } = ctx;
  app.addHook('preHandler', async (req) => requireSpace(shoal, (req.params as { spaceId: string }).spaceId));

  app.post('/api/:spaceId/releases', { schema: { params: SpaceParams, body: ReleaseBody, response: withErrors({ 201: Release }) }, config: { access: 'deploy' } }, async (req, reply) => {
    const { release, queued } = await createRelease(shoal, actorOf(req), req.params.spaceId, req.body, { queueExpiryMs: ctx.config.queueExpiryMs });
    if (queued.length) ctx.executor.queueChanged();
    return reply.status(201).send(release);
  });

  app.get('/api/:spaceId/releases', { schema: { params: SpaceParams, querystring: ReleaseQuery, response: withErrors({ 200: ReleasePage }) }, config: { access: 'read' } }, async (req) => {
    const { projectId, version, take, skip } = req.query;
    const project = projectId === undefined ? undefined : parseId('project', projectId);
    if (projectId !== undefined && project === undefined) throw badRequest(`query.projectId: ${projectId} is not a project id`);
    const { items, total } = await listReleases(shoal, req.params.spaceId, { projectId: project, version, take, skip });
    return { items: items.map(toRelease), total };
  });

  app.get('/api/:spaceId/releases/:id', { schema: { params: SpaceIdParams, response: withErrors({ 200: ReleaseDetail }) }, config: { access: 'read' } }, async (req) => {
    const { spaceId, id } = req.params;
    return releaseDetail(shoal, actorOf(req), await requireRelease(shoal, spaceId, requireId('release', id, spaceId)));
  });
};
