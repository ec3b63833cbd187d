import { sql } from 'kysely';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { ACTIVE_STATES, type TaskState } from './states.js';

export type FinalTaskState = Extract<TaskState, 'Success' | 'Failed' | 'Canceled'>;

/** A task as claimed: its outcome counts only while it still carries the claim's token. */
export interface ClaimedTask {
  id: number;
  token: string;
  /** The task's whole log, stored with the outcome (a short task's: see Executor.record). */
  log?: string;
}

/**
 * Records how claimed tasks ended, all with the same state and message, in one statement.
 * Each counts only while its claim token still matches and it is still active: a node that
 * lost its lease cannot overwrite what the cluster decided. A task's `log`, when given, is
 * stored with its outcome under the same guard. Returns how many were recorded.
 */
export async function completeTasks(
  { db, dialect }: ShoalDb,
  tasks: ClaimedTask[],
  state: FinalTaskState,
  errorMessage: string | null,
): Promise<number> {
  if (!tasks.length) return 0;
  const logged = tasks.filter((t) => t.log !== undefined);
  const result = await db
    .updateTable('tasks')
    .set({
      state,
      error_message: errorMessage,
      completed_time: dialect.now(),
      // Each row its own log, in the same statement (the others keep theirs).
      ...(logged.length && { log_text: sql<string>`case ${sql.join(logged.map((t) => sql`when id = ${t.id} then ${t.log}`), sql` `)} else log_text end` }),
    })
    .where('state', 'in', ACTIVE_STATES)
    .where((eb) => eb.or(tasks.map((t) => eb.and([eb('id', '=', t.id), eb('claim_token', '=', t.token)]))))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Records how one claimed task ended (see completeTasks); returns whether it was recorded. */
export async function completeTask(shoal: ShoalDb, id: number, claimToken: string, state: FinalTaskState, errorMessage: string | null): Promise<boolean> {
  return (await completeTasks(shoal, [{ id, token: claimToken }], state, errorMessage)) === 1;
}
