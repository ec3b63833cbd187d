import type { Selectable } from 'kysely';
import type { ShoalDb } from '../db/dialects/dialect.js';
import type { RunbookSnapshotsTable, RunbooksTable } from '../db/schema.js';
import { parseProcess } from '../projects/process.js';
import { parseSnapshot } from '../projects/snapshot.js';
import { formatId, iso, missing } from '../resources/ids.js';

export type RunbookRow = Selectable<RunbooksTable>;
export type RunbookSnapshotRow = Selectable<RunbookSnapshotsTable>;

export const toRunbook = (r: RunbookRow) => ({
  id: formatId('runbook', r.id),
  spaceId: r.space_id,
  projectId: formatId('project', r.project_id),
  name: r.name,
  description: r.description,
  publishedSnapshotId: r.published_snapshot_id == null ? null : formatId('runbookSnapshot', r.published_snapshot_id),
  process: parseProcess(r.process),
});

export const toRunbookSnapshot = (r: RunbookSnapshotRow) => {
  const s = parseSnapshot(r.snapshot);
  return {
    id: formatId('runbookSnapshot', r.id),
    runbookId: formatId('runbook', r.runbook_id),
    name: r.name,
    notes: r.notes,
    packages: s.packages,
    process: s.process,
    createdAt: iso(r.created_at)!,
    createdBy: r.created_by,
  };
};

export async function requireRunbook({ db }: ShoalDb, spaceId: string, projectId: number, id: number): Promise<RunbookRow> {
  const row = await db.selectFrom('runbooks').selectAll().where('space_id', '=', spaceId).where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
  if (!row) throw missing('runbook', id, spaceId);
  return row;
}

/** Runbook runs with their task's state, newest first. */
export async function listRunbookRuns({ db }: ShoalDb, spaceId: string, q: { runbookId?: number; ids?: number[]; take: number }) {
  let query = db.selectFrom('runbook_runs as x').innerJoin('tasks as t', 't.id', 'x.task_id').selectAll('x').select(['t.state', 't.error_message']).where('x.space_id', '=', spaceId);
  if (q.runbookId !== undefined) query = query.where('x.runbook_id', '=', q.runbookId);
  if (q.ids) query = query.where('x.id', 'in', q.ids.length ? q.ids : [-1]);
  const rows = await query.orderBy('x.id', 'desc').limit(q.take).execute();
  return rows.map((r) => ({
    id: formatId('runbookRun', r.id),
    spaceId: r.space_id,
    projectId: formatId('project', r.project_id),
    runbookId: formatId('runbook', r.runbook_id),
    snapshotId: formatId('runbookSnapshot', r.snapshot_id),
    environmentId: formatId('environment', r.environment_id),
    triggerId: r.trigger_id == null ? null : formatId('trigger', r.trigger_id),
    taskId: `ServerTasks-${Number(r.task_id)}`,
    state: r.state,
    errorMessage: r.error_message,
    createdAt: iso(r.created_at)!,
    createdBy: r.created_by,
  }));
}
