import { badRequest } from '../api/errors.js';
import type { NodeContext } from '../nodeContext.js';
import { listRunbookRuns } from '../runbooks/runbookRows.js';
import { queueRunbookRun } from '../runbooks/service.js';
import { actorOf } from '../resources/actor.js';
import { formatId, parseId } from '../resources/ids.js';
import { unitOfWork } from '../resources/shoalTrx.js';
import { requireSpace } from '../resources/space.js';
import { collection } from './collection.js';
import { projectCommand } from './command.js';
import type { OctopusHandler } from './dialect.js';
import { executionOptions } from './executions.js';
import { environmentsNamed } from './lookup.js';
import { octopusQuery } from './query.js';

/**
 * `POST /api/{spaceId}/runbook-runs/create/v1`: `ProjectName`, `RunbookName`, `EnvironmentNames[]`,
 * `Snapshot?` (a snapshot's name or id; default the published one), queued through Shoal's
 * runbook service in one transaction.
 */
export function createRunbookRunV1(ctx: NodeContext): OctopusHandler {
  const { shoal } = ctx;
  return async (req, reply) => {
    const { spaceId, cmd, project } = await projectCommand(shoal, req);
    const name = cmd.requiredString('RunbookName');
    const runbook = await shoal.db.selectFrom('runbooks').selectAll().where('project_id', '=', project.id).where('name_key', '=', name.toLowerCase()).executeTakeFirst();
    if (!runbook) throw badRequest(`RunbookName: ${project.name} has no runbook "${name}"`);
    const names = executionOptions(cmd);
    const snapshotRef = cmd.string('Snapshot');
    const named = snapshotRef === undefined ? undefined : await shoal.db.selectFrom('runbook_snapshots').select('id').where('runbook_id', '=', runbook.id).where('name', '=', snapshotRef).executeTakeFirst();
    const snapshot = named ? formatId('runbookSnapshot', named.id) : snapshotRef;
    const environments = await environmentsNamed(shoal, spaceId, names);
    const actor = actorOf(req);
    const queued = await unitOfWork(shoal, async (trx) => {
      const out = [];
      for (const env of environments) out.push(await queueRunbookRun(trx, { actor }, runbook, formatId('environment', env.id), snapshot, { queueExpiryMs: ctx.config.queueExpiryMs }));
      return out;
    });
    ctx.executor.queueChanged();
    reply.status(201);
    return { RunbookRunServerTasks: queued.map((q) => ({ RunbookRunId: formatId('runbookRun', q.id), ServerTaskId: `ServerTasks-${q.taskId}` })) };
  };
}

/** `GET /api/{spaceId}/runbookRuns?ids=…&take=…` (the run-runbook action joins them to its tasks). */
export function listRunbookRunsOctopus(ctx: NodeContext): OctopusHandler {
  return async (req) => {
    const { spaceId } = req.params as { spaceId: string };
    await requireSpace(ctx.shoal, spaceId);
    const q = octopusQuery(req);
    const ids = q.list('ids')?.map((id) => parseId('runbookRun', id) ?? -1);
    const runs = await listRunbookRuns(ctx.shoal, spaceId, { ids, take: ids ? Math.max(1, ids.length) : q.take });
    const items = runs.map((r) => ({
      Id: r.id,
      SpaceId: r.spaceId,
      ProjectId: r.projectId,
      RunbookId: r.runbookId,
      RunbookSnapshotId: r.snapshotId,
      EnvironmentId: r.environmentId,
      TaskId: r.taskId,
      TenantId: null,
      Created: r.createdAt,
      Links: { Self: `/api/${spaceId}/runbookRuns/${r.id}`, Task: `/api/tasks/${r.taskId}` },
    }));
    return collection('RunbookRun', { items, total: items.length }, q, `/api/${spaceId}/runbookRuns`);
  };
}
