import type { ShoalDb } from '../db/dialects/dialect.js';

/**
 * Puts back the tasks of a claim whose answer never reached the node (the connection died
 * after the database committed it): they were never started, so they go back to the queue
 * with their place (queue time) kept; one canceled meanwhile ends Canceled. Token-guarded:
 * only that claim's tasks, only while they are still its.
 */
export async function releaseLostClaim({ db, dialect }: ShoalDb, token: string): Promise<number> {
  const requeued = await db
    .updateTable('tasks')
    .set({ state: 'Queued', node_name: null, claim_token: null, start_time: null })
    .where('claim_token', '=', token)
    .where('state', '=', 'Executing')
    .executeTakeFirst();
  const canceled = await db
    .updateTable('tasks')
    .set({ state: 'Canceled', completed_time: dialect.now(), error_message: 'The task was canceled before it started.' })
    .where('claim_token', '=', token)
    .where('state', '=', 'Cancelling')
    .executeTakeFirst();
  return Number(requeued.numUpdatedRows) + Number(canceled.numUpdatedRows);
}
