import { sql } from 'kysely';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { endTasksOfSilentNode } from '../queue/endTasksOfNode.js';
import { OFFLINE_AFTER_MS } from '../queue/leaseTimings.js';

/**
 * Ends the active tasks of every node that is Offline (silent past the threshold, stopped,
 * or deleted). Any live node may run it; running it twice changes nothing. The look below
 * only picks candidates: each node's tasks end in one statement that checks again.
 */
export async function sweepOfflineNodes(shoal: ShoalDb): Promise<number> {
  const { db, dialect } = shoal;
  const now = dialect.now();
  const candidates = await db
    .selectFrom('tasks as t')
    .leftJoin('nodes as n', 'n.name', 't.node_name')
    .select(['t.node_name', 'n.last_seen', 'n.name'])
    .where('t.state', 'in', ['Executing', 'Cancelling'])
    .where((eb) => eb.or([eb('n.name', 'is', null), eb('n.stopped_at', 'is not', null), eb('n.last_seen', '<', sql<number>`${now} - ${OFFLINE_AFTER_MS}`)]))
    .groupBy(['t.node_name', 'n.last_seen', 'n.name'])
    .execute();
  let ended = 0;
  for (const c of candidates) {
    if (c.node_name == null) continue;
    const why =
      c.name == null
        ? `Node ${c.node_name} was deleted from the cluster while the task was running.`
        : `Node ${c.node_name} went offline (last seen ${new Date(Number(c.last_seen)).toISOString()}) while the task was running.`;
    ended += await endTasksOfSilentNode(shoal, c.node_name, why);
  }
  return ended;
}
