import type { ShoalDb } from '../db/dialects/dialect.js';

/**
 * Ends the active tasks of a node that is no longer running them: Executing ones as
 * Failed, Cancelling ones as Canceled, each with the reason. Idempotent.
 * Used when a node starts again after dying, and by the sweep of offline nodes.
 */
export async function endTasksOfNode({ db, dialect }: ShoalDb, nodeName: string, reason: string): Promise<number> {
  const now = dialect.now();
  const failed = await db
    .updateTable('tasks')
    .set({ state: 'Failed', completed_time: now, error_message: reason })
    .where('node_name', '=', nodeName)
    .where('state', '=', 'Executing')
    .executeTakeFirst();
  const canceled = await db
    .updateTable('tasks')
    .set({ state: 'Canceled', completed_time: now, error_message: reason })
    .where('node_name', '=', nodeName)
    .where('state', '=', 'Cancelling')
    .executeTakeFirst();
  return Number(failed.numUpdatedRows) + Number(canceled.numUpdatedRows);
}
