import type { ShoalDb } from '../db/dialects/dialect.js';

/**
 * Ends the active tasks of a node that is no longer running them: Executing ones as
 * Failed, Cancelling ones as Canceled, each with the reason. Idempotent.
 * Used when a node starts again after dying, when it regains the database after fencing
 * itself (outcomes it could not record then), and by the sweep of offline nodes.
 */
export async function endTasksOfNode(
  { db, dialect }: ShoalDb,
  nodeName: string,
  reason: string,
  /** Tasks the node still runs and will record itself. */
  except: number[] = [],
): Promise<number> {
  const now = dialect.now();
  const end = (from: 'Executing' | 'Cancelling', to: 'Failed' | 'Canceled') => {
    let q = db
      .updateTable('tasks')
      .set({ state: to, completed_time: now, error_message: reason })
      .where('node_name', '=', nodeName)
      .where('state', '=', from);
    if (except.length) q = q.where('id', 'not in', except);
    return q.executeTakeFirst();
  };
  const failed = await end('Executing', 'Failed');
  const canceled = await end('Cancelling', 'Canceled');
  return Number(failed.numUpdatedRows) + Number(canceled.numUpdatedRows);
}
