import { badRequest, conflict } from '../api/errors.js';
import { recordEvent } from '../audit/events.js';
import type { ProcessBody } from '../contract/projects.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { insertReturning } from '../db/insertReturning.js';
import { deployableEnvironment } from '../environments/deployable.js';
import { knownIds } from '../projects/knownIds.js';
import { normalizeProcess, parseProcess, runsScriptsOnServer, serializeProcess } from '../projects/process.js';
import { requireServerScriptRights } from '../projects/serverScripts.js';
import { requireProject, type ProjectDeps } from '../projects/service.js';
import { enqueueTask } from '../queue/enqueue.js';
import { takeSnapshot } from '../projects/snapshot.js';
import type { Actor } from '../resources/actor.js';
import { formatId, parseId } from '../resources/ids.js';
import { unitOfWork } from '../resources/shoalTrx.js';
import { namedColumns, saveNamed } from '../resources/namedRows.js';
import { requireRunbook, toRunbook, toRunbookSnapshot, type RunbookRow } from './runbookRows.js';
import { UNFINISHED_STATES } from '../queue/states.js';

export const RUNBOOK_RUN_KIND = 'RunbookRun';

const takenMessage = (name: string) => `The project already has a runbook named ${name}.`;

export async function saveRunbook({ shoal }: ProjectDeps, actor: Actor, spaceId: string, projectId: number, id: number | undefined, body: { name: string; description?: string }) {
  return saveNamed(shoal, 'runbooks', { project: projectId }, body.name, id, takenMessage(body.name), async (trx) => {
      await requireProject(trx, spaceId, projectId);
      const now = trx.dialect.now();
      let row: RunbookRow;
      if (id === undefined) {
        row = await insertReturning(trx, 'runbooks', {
          space_id: spaceId,
          project_id: projectId,
          ...namedColumns(body.name, body.description),
          process: serializeProcess([]),
          published_snapshot_id: null,
          created_at: now,
          updated_at: now,
        });
      } else {
        const before = await requireRunbook(trx, spaceId, projectId, id);
        await trx.db.updateTable('runbooks').set({ ...namedColumns(body.name, body.description, before.description), updated_at: now }).where('id', '=', id).execute();
        row = await requireRunbook(trx, spaceId, projectId, id);
      }
      await recordEvent(trx, { username: actor.username, action: id === undefined ? 'runbook.create' : 'runbook.update', target: formatId('runbook', row.id), details: body, clientIp: actor.clientIp });
      return toRunbook(row);
  });
}

export async function deleteRunbook({ shoal }: ProjectDeps, actor: Actor, spaceId: string, projectId: number, id: number): Promise<void> {
  await unitOfWork(shoal, async (trx) => {
    const row = await requireRunbook(trx, spaceId, projectId, id);
    const trigger = await trx.db.selectFrom('triggers').select('name').where('runbook_id', '=', id).executeTakeFirst();
    if (trigger) throw conflict(`The trigger ${trigger.name} runs ${row.name}; delete it first.`);
    const busy = await trx.db
      .selectFrom('runbook_runs as x')
      .innerJoin('tasks as t', 't.id', 'x.task_id')
      .select('t.id')
      .where('x.runbook_id', '=', id)
      .where('t.state', 'in', UNFINISHED_STATES)
      .executeTakeFirst();
    if (busy) throw conflict(`${row.name} has a run queued or running (ServerTasks-${busy.id}).`);
    await trx.db.deleteFrom('runbook_runs').where('runbook_id', '=', id).execute();
    await trx.db.deleteFrom('runbook_snapshots').where('runbook_id', '=', id).execute();
    await trx.db.deleteFrom('runbooks').where('id', '=', id).execute();
    await recordEvent(trx, { username: actor.username, action: 'runbook.delete', target: formatId('runbook', id), details: { name: row.name }, clientIp: actor.clientIp });
  });
}

export async function saveRunbookProcess({ shoal, runAsConfigured }: ProjectDeps, actor: Actor, spaceId: string, projectId: number, id: number, body: ProcessBody) {
  return unitOfWork(shoal, async (trx) => {
    const row = await requireRunbook(trx, spaceId, projectId, id);
    const steps = normalizeProcess(body, await knownIds(trx, spaceId));
    requireServerScriptRights(actor, runAsConfigured, runsScriptsOnServer(steps), `The runbook ${row.name}`);
    await trx.db.updateTable('runbooks').set({ process: serializeProcess(steps), updated_at: trx.dialect.now() }).where('id', '=', id).execute();
    await recordEvent(trx, { username: actor.username, action: 'runbook.process.update', target: formatId('runbook', id), details: { steps }, clientIp: actor.clientIp });
    return { ownerId: formatId('runbook', id), steps };
  });
}

/** Freezes the draft process, the project's variables and package versions as the runbook's published snapshot. */
export async function publishRunbook({ shoal }: ProjectDeps, actor: Actor, spaceId: string, projectId: number, id: number, body: { name?: string; notes?: string; packages?: Record<string, string> }) {
  return unitOfWork(shoal, async (trx) => {
    const project = await requireProject(trx, spaceId, projectId);
    const runbook = await requireRunbook(trx, spaceId, projectId, id);
    const steps = parseProcess(runbook.process);
    if (!steps.length) throw conflict(`${runbook.name} has no steps yet; add one before publishing.`);
    const count = await trx.db.selectFrom('runbook_snapshots').select((eb) => eb.fn.countAll<number>().as('n')).where('runbook_id', '=', id).executeTakeFirstOrThrow();
    const snapshot = await takeSnapshot(trx, project, steps, body.packages ?? {});
    const row = await insertReturning(trx, 'runbook_snapshots', {
      runbook_id: id,
      name: body.name ?? `Snapshot ${Number(count.n) + 1}`,
      notes: body.notes ?? '',
      snapshot: JSON.stringify(snapshot),
      created_at: trx.dialect.now(),
      created_by: actor.username,
    });
    await trx.db.updateTable('runbooks').set({ published_snapshot_id: Number(row.id), updated_at: trx.dialect.now() }).where('id', '=', id).execute();
    await recordEvent(trx, { username: actor.username, action: 'runbook.publish', target: formatId('runbook', id), details: { snapshot: formatId('runbookSnapshot', row.id), packages: snapshot.packages }, clientIp: actor.clientIp });
    return toRunbookSnapshot(row);
  });
}

export type RunRequester = { actor: Actor } | { trigger: { id: number; name: string } };

/**
 * Queues a run of a runbook snapshot (the published one unless named) in an environment,
 * within the caller's transaction: the requester's right to deploy there, the task (kind
 * RunbookRun, one at a time per runbook and environment), its record and audit event.
 */
export async function queueRunbookRun(trx: ShoalDb, who: RunRequester, runbook: RunbookRow, environmentRef: string, snapshotRef: string | undefined, o: { queueExpiryMs?: number } = {}) {
  const spaceId = runbook.space_id;
  const env = await deployableEnvironment(trx, spaceId, environmentRef, 'actor' in who ? who.actor : undefined, 'run runbooks in');
  let snapshotId = runbook.published_snapshot_id;
  if (snapshotRef !== undefined) {
    snapshotId = parseId('runbookSnapshot', snapshotRef) ?? null;
    const s = snapshotId === null ? undefined : await trx.db.selectFrom('runbook_snapshots').select('id').where('runbook_id', '=', runbook.id).where('id', '=', snapshotId).executeTakeFirst();
    if (!s) throw badRequest(`snapshotId: ${runbook.name} has no snapshot ${snapshotRef}`);
  }
  if (snapshotId == null) throw conflict(`${runbook.name} has no published snapshot; publish it first.`);
  const createdBy = 'actor' in who ? who.actor.username : `trigger ${who.trigger.name}`;
  const task = await enqueueTask(trx, {
    kind: RUNBOOK_RUN_KIND,
    description: `Run ${runbook.name} in ${env.name}`,
    arguments: { runbookId: formatId('runbook', runbook.id), environmentId: formatId('environment', env.id) },
    concurrencyTag: `RunbookRun/${formatId('runbook', runbook.id)}/${formatId('environment', env.id)}`,
    createdBy,
    expiryMs: o.queueExpiryMs,
  });
  const row = await insertReturning(trx, 'runbook_runs', {
    space_id: spaceId,
    project_id: Number(runbook.project_id),
    runbook_id: Number(runbook.id),
    snapshot_id: Number(snapshotId),
    environment_id: Number(env.id),
    task_id: Number(task.id),
    trigger_id: 'trigger' in who ? who.trigger.id : null,
    created_at: trx.dialect.now(),
    created_by: createdBy,
  });
  await recordEvent(trx, {
    username: 'actor' in who ? who.actor.username : null,
    action: 'actor' in who ? 'runbookRun.create' : 'runbookRun.trigger',
    target: formatId('runbookRun', row.id),
    details: { runbook: runbook.name, environment: env.name, task: `ServerTasks-${task.id}` },
    clientIp: 'actor' in who ? who.actor.clientIp : null,
  });
  return { id: Number(row.id), taskId: Number(task.id) };
}

export async function runbookById({ db }: ShoalDb, spaceId: string, ref: string): Promise<RunbookRow> {
  const id = parseId('runbook', ref);
  const row = id === undefined ? undefined : await db.selectFrom('runbooks').selectAll().where('space_id', '=', spaceId).where('id', '=', id).executeTakeFirst();
  if (!row) throw badRequest(`runbookId: there is no runbook ${ref} in ${spaceId}`);
  return row;
}

