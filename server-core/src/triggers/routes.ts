import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { NodeContext } from '../nodeContext.js';
import { endpointSchema } from '../api/endpointSchema.js';
import { triggerEndpoints as e } from '../contract/runbooks.js';
import { projectDeps, requireProject } from '../projects/service.js';
import { actorOf } from '../resources/actor.js';
import { requireId } from '../resources/ids.js';
import { requireSpaceOfRoute } from '../resources/space.js';
import { deleteTrigger, requireTrigger, saveTrigger, toTrigger } from './service.js';

/** Scheduled triggers that run a runbook's published snapshot (`project.edit`). */
export const triggerRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  const { shoal } = ctx;
  const deps = projectDeps(ctx);
  const projectOf = (p: { spaceId: string; id: string }) => requireId('project', p.id, p.spaceId);
  const triggerOf = (p: { spaceId: string; triggerId: string }) => requireId('trigger', p.triggerId, p.spaceId);
  app.addHook('preHandler', requireSpaceOfRoute(shoal));

  app.get(e.listTriggers.url, { schema: endpointSchema(e.listTriggers), config: { access: 'read' } }, async (req) => {
    const project = await requireProject(shoal, req.params.spaceId, projectOf(req.params));
    const rows = await shoal.db.selectFrom('triggers').selectAll().where('project_id', '=', project.id).orderBy('name_key').execute();
    return Promise.all(rows.map((t) => toTrigger(shoal, t)));
  });
  app.post(e.createTrigger.url, { schema: endpointSchema(e.createTrigger), config: { access: 'project.edit' } }, async (req, reply) =>
    reply.status(201).send(await saveTrigger(deps, actorOf(req), req.params.spaceId, projectOf(req.params), undefined, req.body)),
  );
  app.get(e.getTrigger.url, { schema: endpointSchema(e.getTrigger), config: { access: 'read' } }, async (req) =>
    toTrigger(shoal, await requireTrigger(shoal, req.params.spaceId, projectOf(req.params), triggerOf(req.params))),
  );
  app.put(e.updateTrigger.url, { schema: endpointSchema(e.updateTrigger), config: { access: 'project.edit' } }, async (req) =>
    saveTrigger(deps, actorOf(req), req.params.spaceId, projectOf(req.params), triggerOf(req.params), req.body),
  );
  app.delete(e.deleteTrigger.url, { schema: endpointSchema(e.deleteTrigger), config: { access: 'project.edit' } }, async (req, reply) => {
    await deleteTrigger(deps, actorOf(req), req.params.spaceId, projectOf(req.params), triggerOf(req.params));
    return reply.status(204).send(null);
  });
};
