import type { ShoalDb } from '../db/dialects/dialect.js';
import { endTasksOfNode } from '../queue/failOrphans.js';
import { listNodes, nodeIsOffline } from './registry.js';

/**
 * Ends the active tasks of every node that is Offline (silent past the threshold, or
 * stopped). Any live node may run it; running it twice changes nothing.
 */
export async function sweepOfflineNodes(shoal: ShoalDb): Promise<number> {
  let ended = 0;
  for (const n of await listNodes(shoal)) {
    if (!nodeIsOffline(n) || n.running_tasks === 0) continue;
    const lastSeen = new Date(Number(n.last_seen)).toISOString();
    ended += await endTasksOfNode(shoal, n.name, `Node ${n.name} went offline (last seen ${lastSeen}) while the task was running.`);
  }
  return ended;
}
