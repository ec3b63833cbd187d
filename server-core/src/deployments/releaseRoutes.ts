import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { NodeContext } from '../nodeContext.js';
import { endpointSchema } from '../api/endpointSchema.js';
import { badRequest } from '../api/errors.js';
import { releaseEndpoints as e } from '../contract/releases.js';
import { actorOf } from '../resources/actor.js';
import { parseId, requireId } from '../resources/ids.js';
import { requireSpaceOfRoute } from '../resources/space.js';
import { listReleases, toRelease } from './releaseRows.js';
import { createRelease, releaseDetail, requireRelease } from './releaseService.js';

/** Releases: created with `deploy` (build servers and Deployers), read with `read`. */
export const releaseRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  const { shoal } = ctx;
  app.addHook('preHandler', requireSpaceOfRoute(shoal));

  app.post(e.createRelease.url, { schema: endpointSchema(e.createRelease), config: { access: 'deploy' } }, async (req, reply) => {
    const { release, queued } = await createRelease(shoal, actorOf(req), req.params.spaceId, req.body, { queueExpiryMs: ctx.config.queueExpiryMs });
    if (queued.length) ctx.executor.queueChanged();
    return reply.status(201).send(release);
  });

  app.get(e.listReleases.url, { schema: endpointSchema(e.listReleases), config: { access: 'read' } }, async (req) => {
    const { projectId, version, take, skip } = req.query;
    const project = projectId === undefined ? undefined : parseId('project', projectId);
    if (projectId !== undefined && project === undefined) throw badRequest(`query.projectId: ${projectId} is not a project id`);
    const { items, total } = await listReleases(shoal, req.params.spaceId, { projectId: project, version, take, skip });
    return { items: items.map(toRelease), total };
  });

  app.get(e.getRelease.url, { schema: endpointSchema(e.getRelease), config: { access: 'read' } }, async (req) => {
    const { spaceId, id } = req.params;
    return releaseDetail(shoal, actorOf(req), await requireRelease(shoal, spaceId, requireId('release', id, spaceId)));
  });
};
