import type { Selectable } from 'kysely';
import type { ShoalDb } from '../db/dialects/dialect.js';
import type { TaskActivitiesTable } from '../db/schema.js';
import { insertReturning } from '../db/insertReturning.js';

export type ActivityRow = Selectable<TaskActivitiesTable>;
export type ActivityKind = 'Step' | 'Server' | 'Target';
export type ActivityState = 'Pending' | 'Running' | 'Success' | 'Failed' | 'Skipped' | 'Canceled';

/** One node of a task's log tree, stored so that any node can show it. */
export async function insertActivity(shoal: ShoalDb, a: { taskId: number; parentId: number | null; position: number; kind: ActivityKind; name: string; state: ActivityState }): Promise<number> {
  const row = await insertReturning(shoal, 'task_activities', {
    task_id: a.taskId,
    parent_id: a.parentId,
    position: a.position,
    kind: a.kind,
    name: a.name.slice(0, 400),
    state: a.state,
    started_at: null,
    ended_at: null,
  });
  return Number(row.id);
}

/** Running stamps the start; a final state stamps the end (database clock). */
export async function setActivityState({ db, dialect }: ShoalDb, id: number, state: ActivityState): Promise<void> {
  const now = dialect.now();
  const stamp = state === 'Running' ? { started_at: now } : state === 'Pending' ? {} : { ended_at: now };
  await db.updateTable('task_activities').set({ state, ...stamp }).where('id', '=', id).execute();
}

export async function activitiesOfTask({ db }: ShoalDb, taskId: number): Promise<ActivityRow[]> {
  return db.selectFrom('task_activities').selectAll().where('task_id', '=', taskId).orderBy('position').orderBy('id').execute();
}
