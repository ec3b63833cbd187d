import type { ShoalDb } from '../db/dialects/dialect.js';
import type { TaskRow } from './taskRecord.js';

/**
 * Cancels a task: a queued one ends Canceled at once; an executing one goes to
 * Cancelling, and the node running it kills it and records Canceled.
 * Returns the task as it is afterwards, or undefined when there is no such task.
 */
export async function requestCancel({ db, dialect }: ShoalDb, id: number, reason: string): Promise<TaskRow | undefined> {
  await db
    .updateTable('tasks')
    .set({ state: 'Canceled', completed_time: dialect.now(), error_message: reason })
    .where('id', '=', id)
    .where('state', '=', 'Queued')
    .execute();
  await db.updateTable('tasks').set({ state: 'Cancelling' }).where('id', '=', id).where('state', '=', 'Executing').execute();
  return db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
}
