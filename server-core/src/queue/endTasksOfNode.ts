import { sql, type ExpressionBuilder } from 'kysely';
import type { ShoalDb } from '../db/dialects/dialect.js';
import type { Schema } from '../db/schema.js';
import { OFFLINE_AFTER_MS } from './leaseTimings.js';

/** Executing tasks end Failed, Cancelling ones Canceled. */
const endedState = sql<string>`case when state = 'Cancelling' then 'Canceled' else 'Failed' end`;

function endActiveTasks(
  { db, dialect }: ShoalDb,
  nodeName: string,
  reason: string,
  condition?: (eb: ExpressionBuilder<Schema, 'tasks'>) => ReturnType<ExpressionBuilder<Schema, 'tasks'>['exists']>,
) {
  let q = db
    .updateTable('tasks')
    .set({ state: endedState, completed_time: dialect.now(), error_message: reason })
    .where('node_name', '=', nodeName)
    .where('state', 'in', ['Executing', 'Cancelling']);
  if (condition) q = q.where(condition);
  return q.executeTakeFirst().then((r) => Number(r.numUpdatedRows));
}

/**
 * Ends the active tasks of a node only while it is still silent, re-checked inside the
 * UPDATE by the database clock: stopped, silent past the offline threshold, or its row
 * deleted. A heartbeat that lands between a sweep's look and this statement keeps the
 * node's tasks, and whatever it claimed since, running.
 */
export function endTasksOfSilentNode(shoal: ShoalDb, nodeName: string, reason: string): Promise<number> {
  const now = shoal.dialect.now();
  return endActiveTasks(shoal, nodeName, reason, (eb) =>
    eb.not(
      eb.exists(
        eb
          .selectFrom('nodes as n')
          .select('n.name')
          .where('n.name', '=', nodeName)
          .where('n.stopped_at', 'is', null)
          .where('n.last_seen', '>=', sql<number>`${now} - ${OFFLINE_AFTER_MS}`),
      ),
    ),
  );
}

/**
 * Ends what an earlier run under this node name left active, when a node starts: it holds
 * the name now (registerNode refused it while a live twin held it), so nothing of those
 * tasks runs any more — their scripts died with their supervisors.
 */
export function endTasksOfEarlierRun(shoal: ShoalDb, nodeName: string, reason: string): Promise<number> {
  return endActiveTasks(shoal, nodeName, reason);
}
