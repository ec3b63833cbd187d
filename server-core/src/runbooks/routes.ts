import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { NodeContext } from '../nodeContext.js';
import { badRequest } from '../api/errors.js';
import { NoContent, withErrors } from '../contract/common.js';
import { Process, ProcessBody, SpaceIdParams, SpaceParams } from '../contract/deployments.js';
import { ProjectRunbookParams, PublishBody, Runbook, RunbookBody, RunbookList, RunbookRun, RunbookRunBody, RunbookRunList, RunbookRunQuery, RunbookSnapshot, RunbookSnapshotList } from '../contract/runbooks.js';
import { requireProject, type ProjectDeps } from '../projects/service.js';
import { actorOf } from '../resources/actor.js';
import { missing, parseId, requireId } from '../resources/ids.js';
import { unitOfWork } from '../resources/shoalTrx.js';
import { requireSpace } from '../resources/space.js';
import { listRunbookRuns, requireRunbook, toRunbook, toRunbookSnapshot } from './runbookRows.js';
import { deleteRunbook, publishRunbook, queueRunbookRun, runbookById, saveRunbook, saveRunbookProcess } from './service.js';

/**
 * Runbooks of a project (`project.edit`; a process that runs scripts on the server also needs
 * `admin` while builtInWorkerRunAs is unset) and their runs (`deploy`, environment-checked).
 */
export const runbookRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  const { shoal } = ctx;
  const deps: ProjectDeps = { shoal, masterKey: ctx.masterKey, runAsConfigured: !!ctx.config.builtInWorkerRunAs };
  const ids = (p: { spaceId: string; id: string; runbookId?: string }) => ({
    project: requireId('project', p.id, p.spaceId),
    runbook: p.runbookId === undefined ? -1 : requireId('runbook', p.runbookId, p.spaceId),
  });
  app.addHook('preHandler', async (req) => requireSpace(shoal, (req.params as { spaceId: string }).spaceId));

  app.get('/api/:spaceId/projects/:id/runbooks', { schema: { params: SpaceIdParams, response: withErrors({ 200: RunbookList }) }, config: { access: 'read' } }, async (req) => {
    const project = await requireProject(shoal, req.params.spaceId, ids(req.params).project);
    return (await shoal.db.selectFrom('runbooks').selectAll().where('project_id', '=', project.id).orderBy('name_key').execute()).map(toRunbook);
  });
  app.post(
    '/api/:spaceId/projects/:id/runbooks',
    { schema: { params: SpaceIdParams, body: RunbookBody, response: withErrors({ 201: Runbook }) }, config: { access: 'project.edit' } },
    async (req, reply) => reply.status(201).send(await saveRunbook(deps, actorOf(req), req.params.spaceId, ids(req.params).project, undefined, req.body)),
  );
  app.get('/api/:spaceId/projects/:id/runbooks/:runbookId', { schema: { params: ProjectRunbookParams, response: withErrors({ 200: Runbook }) }, config: { access: 'read' } }, async (req) => {
    const i = ids(req.params);
    return toRunbook(await requireRunbook(shoal, req.params.spaceId, i.project, i.runbook));
  });
  app.put(
    '/api/:spaceId/projects/:id/runbooks/:runbookId',
    { schema: { params: ProjectRunbookParams, body: RunbookBody, response: withErrors({ 200: Runbook }) }, config: { access: 'project.edit' } },
    async (req) => {
      const i = ids(req.params);
      return saveRunbook(deps, actorOf(req), req.params.spaceId, i.project, i.runbook, req.body);
    },
  );
  app.delete('/api/:spaceId/projects/:id/runbooks/:runbookId', { schema: { params: ProjectRunbookParams, response: withErrors({ 204: NoContent }) }, config: { access: 'project.edit' } }, async (req, reply) => {
    const i = ids(req.params);
    await deleteRunbook(deps, actorOf(req), req.params.spaceId, i.project, i.runbook);
    return reply.status(204).send(null);
  });
  app.get('/api/:spaceId/projects/:id/runbooks/:runbookId/process', { schema: { params: ProjectRunbookParams, response: withErrors({ 200: Process }) }, config: { access: 'read' } }, async (req) => {
    const i = ids(req.params);
    const r = toRunbook(await requireRunbook(shoal, req.params.spaceId, i.project, i.runbook));
    return { ownerId: r.id, steps: r.process };
  });
  app.put(
    '/api/:spaceId/projects/:id/runbooks/:runbookId/process',
    { schema: { params: ProjectRunbookParams, body: ProcessBody, response: withErrors({ 200: Process }) }, config: { access: 'project.edit' } },
    async (req) => {
      const i = ids(req.params);
      return saveRunbookProcess(deps, actorOf(req), req.params.spaceId, i.project, i.runbook, req.body);
    },
  );
  app.post(
    '/api/:spaceId/projects/:id/runbooks/:runbookId/publish',
    { schema: { params: ProjectRunbookParams, body: PublishBody, response: withErrors({ 201: RunbookSnapshot }) }, config: { access: 'project.edit' } },
    async (req, reply) => {
      const i = ids(req.params);
      return reply.status(201).send(await publishRunbook(deps, actorOf(req), req.params.spaceId, i.project, i.runbook, req.body));
    },
  );
  app.get(
    '/api/:spaceId/projects/:id/runbooks/:runbookId/snapshots',
    { schema: { params: ProjectRunbookParams, response: withErrors({ 200: RunbookSnapshotList }) }, config: { access: 'read' } },
    async (req) => {
      const i = ids(req.params);
      const r = await requireRunbook(shoal, req.params.spaceId, i.project, i.runbook);
      return (await shoal.db.selectFrom('runbook_snapshots').selectAll().where('runbook_id', '=', r.id).orderBy('id', 'desc').execute()).map(toRunbookSnapshot);
    },
  );

  app.post('/api/:spaceId/runbook-runs', { schema: { params: SpaceParams, body: RunbookRunBody, response: withErrors({ 201: RunbookRun }) }, config: { access: 'deploy' } }, async (req, reply) => {
    const { spaceId } = req.params;
    const queued = await unitOfWork(shoal, async (trx) =>
      queueRunbookRun(trx, { actor: actorOf(req) }, await runbookById(trx, spaceId, req.body.runbookId), req.body.environmentId, req.body.snapshotId, { queueExpiryMs: ctx.config.queueExpiryMs }),
    );
    ctx.executor.queueChanged();
    return reply.status(201).send((await listRunbookRuns(shoal, spaceId, { ids: [queued.id], take: 1 }))[0]!);
  });
  app.get('/api/:spaceId/runbook-runs', { schema: { params: SpaceParams, querystring: RunbookRunQuery, response: withErrors({ 200: RunbookRunList }) }, config: { access: 'read' } }, async (req) => {
    const { runbookId, take } = req.query;
    const id = runbookId === undefined ? undefined : parseId('runbook', runbookId);
    if (runbookId !== undefined && id === undefined) throw badRequest(`query.runbookId: ${runbookId} is not a runbook id`);
    return listRunbookRuns(shoal, req.params.spaceId, { runbookId: id, take });
  });
  app.get('/api/:spaceId/runbook-runs/:id', { schema: { params: SpaceIdParams, response: withErrors({ 200: RunbookRun }) }, config: { access: 'read' } }, async (req) => {
    const id = requireId('runbookRun', req.params.id, req.params.spaceId);
    const run = (await listRunbookRuns(shoal, req.params.spaceId, { ids: [id], take: 1 }))[0];
    if (!run) throw missing('runbookRun', id, req.params.spaceId);
    return run;
  });
};
