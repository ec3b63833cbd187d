import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { NodeContext } from '../nodeContext.js';
import { NoContent, withErrors } from '../contract/common.js';
import { SpaceIdParams } from '../contract/deployments.js';
import { ProjectTriggerParams, Trigger, TriggerBody, TriggerList } from '../contract/runbooks.js';
import { requireProject, type ProjectDeps } from '../projects/service.js';
import { actorOf } from '../resources/actor.js';
import { requireId } from '../resources/ids.js';
import { requireSpace } from '../resources/space.js';
import { deleteTrigger, requireTrigger, saveTrigger, toTrigger } from './service.js';

/** Scheduled triggers that run a runbook's published snapshot (`project.edit`). */
export const triggerRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  const { shoal } = ctx;
  const deps: ProjectDeps = { shoal, masterKey: ctx.masterKey, runAsConfigured: !!ctx.config.builtInWorkerRunAs };
  const projectOf = (p: { spaceId: string; id: string }) => requireId('project', p.id, p.spaceId);
  const triggerOf = (p: { spaceId: string; triggerId: string }) => requireId('trigger', p.triggerId, p.spaceId);
  app.addHook('preHandler', async (req) => requireSpace(shoal, (req.params as { spaceId: string }).spaceId));

  app.get('/api/:spaceId/projects/:id/triggers', { schema: { params: SpaceIdParams, response: withErrors({ 200: TriggerList }) }, config: { access: 'read' } }, async (req) => {
    const project = await requireProject(shoal, req.params.spaceId, projectOf(req.params));
    const rows = await shoal.db.selectFrom('triggers').selectAll().where('project_id', '=', project.id).orderBy('name_key').execute();
    return Promise.all(rows.map((t) => toTrigger(shoal, t)));
  });
  app.post(
    '/api/:spaceId/projects/:id/triggers',
    { schema: { params: SpaceIdParams, body: TriggerBody, response: withErrors({ 201: Trigger }) }, config: { access: 'project.edit' } },
    async (req, reply) => reply.status(201).send(await saveTrigger(deps, actorOf(req), req.params.spaceId, projectOf(req.params), undefined, req.body)),
  );
  app.get('/api/:spaceId/projects/:id/triggers/:triggerId', { schema: { params: ProjectTriggerParams, response: withErrors({ 200: Trigger }) }, config: { access: 'read' } }, async (req) =>
    toTrigger(shoal, await requireTrigger(shoal, req.params.spaceId, projectOf(req.params), triggerOf(req.params))),
  );
  app.put(
    '/api/:spaceId/projects/:id/triggers/:triggerId',
    { schema: { params: ProjectTriggerParams, body: TriggerBody, response: withErrors({ 200: Trigger }) }, config: { access: 'project.edit' } },
    async (req) => saveTrigger(deps, actorOf(req), req.params.spaceId, projectOf(req.params), triggerOf(req.params), req.body),
  );
  app.delete('/api/:spaceId/projects/:id/triggers/:triggerId', { schema: { params: ProjectTriggerParams, response: withErrors({ 204: NoContent }) }, config: { access: 'project.edit' } }, async (req, reply) => {
    await deleteTrigger(deps, actorOf(req), req.params.spaceId, projectOf(req.params), triggerOf(req.params));
    return reply.status(204).send(null);
  });
};
