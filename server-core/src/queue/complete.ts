import type { ShoalDb } from '../db/dialects/dialect.js';
import { ACTIVE_STATES, type TaskState } from './states.js';

/**
 * Records how a claimed task ended. Counts only while the claim token still matches
 * and the task is still active: a node that lost its lease cannot overwrite what the
 * cluster decided. Returns whether the outcome was recorded.
 */
export async function completeTask(
  { db, dialect }: ShoalDb,
  id: number,
  claimToken: string,
  state: Extract<TaskState, 'Success' | 'Failed' | 'Canceled'>,
  errorMessage: string | null,
): Promise<boolean> {
  const result = await db
    .updateTable('tasks')
    .set({ state, error_message: errorMessage, completed_time: dialect.now() })
    .where('id', '=', id)
    .where('claim_token', '=', claimToken)
    .where('state', 'in', ACTIVE_STATES)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
