import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { NodeContext } from '../nodeContext.js';
import { endpointSchema } from '../api/endpointSchema.js';
import { badRequest } from '../api/errors.js';
import { runbookEndpoints as e } from '../contract/runbooks.js';
import { projectDeps, requireProject } from '../projects/service.js';
import { actorOf } from '../resources/actor.js';
import { missing, parseId, requireId } from '../resources/ids.js';
import { unitOfWork } from '../resources/shoalTrx.js';
import { requireSpaceOfRoute } from '../resources/space.js';
import { listRunbookRuns, requireRunbook, toRunbook, toRunbookSnapshot } from './runbookRows.js';
import { deleteRunbook, publishRunbook, queueRunbookRun, runbookById, saveRunbook, saveRunbookProcess } from './service.js';

/**
 * Runbooks of a project (`project.edit`; a process that runs scripts on the server also needs
 * `admin` while builtInWorkerRunAs is unset) and their runs (`deploy`, environment-checked).
 */
export const runbookRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  const { shoal } = ctx;
  const deps = projectDeps(ctx);
  const ids = (p: { spaceId: string; id: string; runbookId?: string }) => ({
    project: requireId('project', p.id, p.spaceId),
    runbook: p.runbookId === undefined ? -1 : requireId('runbook', p.runbookId, p.spaceId),
  });
  /** The runbook a route's path names, in its project. */
  const runbookOf = (p: { spaceId: string; id: string; runbookId: string }) => {
    const i = ids(p);
    return requireRunbook(shoal, p.spaceId, i.project, i.runbook);
  };
  app.addHook('preHandler', requireSpaceOfRoute(shoal));

  app.get(e.listRunbooks.url, { schema: endpointSchema(e.listRunbooks), config: { access: 'read' } }, async (req) => {
    const project = await requireProject(shoal, req.params.spaceId, ids(req.params).project);
    return (await shoal.db.selectFrom('runbooks').selectAll().where('project_id', '=', project.id).orderBy('name_key').execute()).map(toRunbook);
  });
  app.post(e.createRunbook.url, { schema: endpointSchema(e.createRunbook), config: { access: 'project.edit' } }, async (req, reply) =>
    reply.status(201).send(await saveRunbook(deps, actorOf(req), req.params.spaceId, ids(req.params).project, undefined, req.body)),
  );
  app.get(e.getRunbook.url, { schema: endpointSchema(e.getRunbook), config: { access: 'read' } }, async (req) => toRunbook(await runbookOf(req.params)));
  app.put(e.updateRunbook.url, { schema: endpointSchema(e.updateRunbook), config: { access: 'project.edit' } }, async (req) => {
    const i = ids(req.params);
    return saveRunbook(deps, actorOf(req), req.params.spaceId, i.project, i.runbook, req.body);
  });
  app.delete(e.deleteRunbook.url, { schema: endpointSchema(e.deleteRunbook), config: { access: 'project.edit' } }, async (req, reply) => {
    const i = ids(req.params);
    await deleteRunbook(deps, actorOf(req), req.params.spaceId, i.project, i.runbook);
    return reply.status(204).send(null);
  });
  app.get(e.getRunbookProcess.url, { schema: endpointSchema(e.getRunbookProcess), config: { access: 'read' } }, async (req) => {
    const r = toRunbook(await runbookOf(req.params));
    return { ownerId: r.id, steps: r.process };
  });
  app.put(e.saveRunbookProcess.url, { schema: endpointSchema(e.saveRunbookProcess), config: { access: 'project.edit' } }, async (req) => {
    const i = ids(req.params);
    return saveRunbookProcess(deps, actorOf(req), req.params.spaceId, i.project, i.runbook, req.body);
  });
  app.post(e.publishRunbook.url, { schema: endpointSchema(e.publishRunbook), config: { access: 'project.edit' } }, async (req, reply) => {
    const i = ids(req.params);
    return reply.status(201).send(await publishRunbook(deps, actorOf(req), req.params.spaceId, i.project, i.runbook, req.body));
  });
  app.get(e.listRunbookSnapshots.url, { schema: endpointSchema(e.listRunbookSnapshots), config: { access: 'read' } }, async (req) => {
    const r = await runbookOf(req.params);
    return (await shoal.db.selectFrom('runbook_snapshots').selectAll().where('runbook_id', '=', r.id).orderBy('id', 'desc').execute()).map(toRunbookSnapshot);
  });

  app.post(e.runRunbook.url, { schema: endpointSchema(e.runRunbook), config: { access: 'deploy' } }, async (req, reply) => {
    const { spaceId } = req.params;
    const queued = await unitOfWork(shoal, async (trx) =>
      queueRunbookRun(trx, { actor: actorOf(req) }, await runbookById(trx, spaceId, req.body.runbookId), req.body.environmentId, req.body.snapshotId, { queueExpiryMs: ctx.config.queueExpiryMs }),
    );
    ctx.executor.queueChanged();
    return reply.status(201).send((await listRunbookRuns(shoal, spaceId, { ids: [queued.id], take: 1 }))[0]!);
  });
  app.get(e.listRunbookRuns.url, { schema: endpointSchema(e.listRunbookRuns), config: { access: 'read' } }, async (req) => {
    const { runbookId, take } = req.query;
    const id = runbookId === undefined ? undefined : parseId('runbook', runbookId);
    if (runbookId !== undefined && id === undefined) throw badRequest(`query.runbookId: ${runbookId} is not a runbook id`);
    return listRunbookRuns(shoal, req.params.spaceId, { runbookId: id, take });
  });
  app.get(e.getRunbookRun.url, { schema: endpointSchema(e.getRunbookRun), config: { access: 'read' } }, async (req) => {
    const id = requireId('runbookRun', req.params.id, req.params.spaceId);
    const run = (await listRunbookRuns(shoal, req.params.spaceId, { ids: [id], take: 1 }))[0];
    if (!run) throw missing('runbookRun', id, req.params.spaceId);
    return run;
  });
};
