import type { ShoalDb } from '../db/dialects/dialect.js';

/** Ends every task still queued past its expiry as TimedOut. Returns how many. */
export async function expireQueuedTasks({ db, dialect }: ShoalDb): Promise<number> {
  const now = dialect.now();
  const result = await db
    .updateTable('tasks')
    .set({ state: 'TimedOut', completed_time: now, error_message: 'The task waited in the queue past its expiry and was not started.' })
    .where('state', '=', 'Queued')
    .where('expires_at', '<=', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
