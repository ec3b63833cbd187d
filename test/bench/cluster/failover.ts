import { sql } from 'kysely';
import { HEARTBEAT_INTERVAL_MS, OFFLINE_AFTER_MS } from '../../../server-core/src/queue/leaseTimings.js';
import { sleep } from '../../helpers/waitFor.js';
import { HOLD_KIND } from './holdKind.js';
import { wallNow } from './ipc.js';
import type { ShoalBenchCluster } from './shoalCluster.js';

export interface FailoverResult {
  victim: string;
  /** Tasks the victim was running when it was killed. */
  victimTasks: number;
  /** How long before the kill the victim's last heartbeat landed (database clock); ~0 = the worst case. */
  lastHeartbeatBeforeKillMs: number;
  /** kill -9 → GET /api/nodes on a survivor shows the victim Offline. */
  toOfflineMs: number;
  /** kill -9 → none of the victim's tasks active any more (all ended Failed by a survivor's sweep). */
  toTasksFailedMs: number;
  /** States of the victim's tasks afterwards, and one error message. */
  endStates: Record<string, number>;
  errorMessage: string | null;
  heartbeatIntervalMs: number;
  offlineAfterMs: number;
}

const TIMEOUT_MS = 45_000;

/**
 * Fills every node with long tasks, waits for the victim's next heartbeat and kills it with
 * SIGKILL right after it (the worst moment: a full offline threshold still to go), then polls
 * a survivor's API every 100 ms until the victim shows Offline and its tasks have ended.
 * Production heartbeat settings: nothing is shortened for the benchmark.
 */
export async function measureFailover(c: ShoalBenchCluster, taskCap: number): Promise<FailoverResult> {
  const victimIndex = c.nodes.length - 1;
  const victim = c.nodes[victimIndex]!;
  const survivor = c.clients[0]!;
  for (let i = 0; i < c.nodes.length * taskCap; i++) await survivor.post('/api/tasks', { kind: HOLD_KIND, arguments: { ms: 120_000 } });

  const activeOf = async (node: string) =>
    c.shoal.db.selectFrom('tasks').select(['id', 'state', 'error_message']).where('node_name', '=', node).where('kind', '=', HOLD_KIND).execute();
  const busyBy = Date.now() + 10_000;
  let onVictim = 0;
  while (Date.now() < busyBy) {
    onVictim = (await activeOf(victim.name)).filter((t) => t.state === 'Executing').length;
    if (onVictim >= taskCap) break;
    await sleep(50);
  }
  if (onVictim === 0) throw new Error(`${victim.name} never ran a task`);

  // Kill right after a heartbeat.
  const lastSeen = async () =>
    (await c.shoal.db.selectFrom('nodes').select(['last_seen', sql<number>`${c.shoal.dialect.now()}`.as('now')]).where('name', '=', victim.name).executeTakeFirstOrThrow());
  const before = (await lastSeen()).last_seen;
  const beatBy = Date.now() + HEARTBEAT_INTERVAL_MS + 3000;
  while ((await lastSeen()).last_seen === before && Date.now() < beatBy) await sleep(5);
  victim.proc.kill9();
  const killedAt = wallNow();
  const atKill = await lastSeen();
  await victim.proc.exited;

  let toOfflineMs: number | undefined;
  let toTasksFailedMs: number | undefined;
  while ((toOfflineMs === undefined || toTasksFailedMs === undefined) && wallNow() - killedAt < TIMEOUT_MS) {
    if (toOfflineMs === undefined) {
      const nodes = await survivor.get<{ name: string; status: string }[]>('/api/nodes');
      if (nodes.find((n) => n.name === victim.name)?.status === 'Offline') toOfflineMs = wallNow() - killedAt;
    }
    if (toTasksFailedMs === undefined) {
      const active = await survivor.get<{ items: unknown[] }>(`/api/tasks?node=${victim.name}&state=Executing,Cancelling&take=500`);
      if (active.items.length === 0) toTasksFailedMs = wallNow() - killedAt;
    }
    await sleep(100);
  }
  const tasks = await activeOf(victim.name);
  const endStates: Record<string, number> = {};
  for (const t of tasks) endStates[t.state] = (endStates[t.state] ?? 0) + 1;
  return {
    victim: victim.name,
    victimTasks: onVictim,
    lastHeartbeatBeforeKillMs: Number(atKill.now) - Number(atKill.last_seen),
    toOfflineMs: Math.round(toOfflineMs ?? NaN),
    toTasksFailedMs: Math.round(toTasksFailedMs ?? NaN),
    endStates,
    errorMessage: tasks.find((t) => t.error_message)?.error_message ?? null,
    heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
    offlineAfterMs: OFFLINE_AFTER_MS,
  };
}
