import { sql } from 'kysely';
import { enqueueTask } from '../../../server-core/src/queue/enqueue.js';
import { notifyQueueChanged } from '../../../server-core/src/queue/notify.js';
import { parseTaskId, taskId } from '../../../server-core/src/queue/taskRecord.js';
import { sleep } from '../../../server-core/src/testing/wait.js';
import { httpEnqueuer, sequential } from '../latency.js';
import { NOOP_KIND } from '../noopKind.js';
import { summarize, type Summary } from '../stats.js';
import { wallNow } from './ipc.js';
import type { ShoalBenchCluster } from './shoalCluster.js';

export type LatencyVariant = 'http-any-node' | 'http-cross-node' | 'direct-notify';

export const VARIANT_LABEL: Record<LatencyVariant, string> = {
  'http-any-node': 'POST /api/tasks to node1, all nodes may start it',
  'http-cross-node': 'POST /api/tasks to node1 at cap 0: node2/3 via LISTEN/NOTIFY',
  'direct-notify': 'insert + pg_notify from the bench: any node via LISTEN/NOTIFY',
};

export interface ClusterLatencyResult {
  variant: LatencyVariant;
  /** back-to-back: next enqueue as soon as the previous task started; quiet: once it was recorded as ended, plus 5 ms. */
  pacing: 'back-to-back' | 'quiet';
  /** Wall clock: enqueue call begun in the bench → run() begun in a node process (same machine, performance.timeOrigin + now()). */
  wallMs: Summary;
  /** Database clock: tasks.start_time − tasks.queue_time (both clock_timestamp(), whole ms): insert → claim. */
  dbMs: Summary;
  /** The enqueue call itself (HTTP 201 read / insert + notify done). */
  enqueueCallMs: Summary;
  /** Which node started the measured tasks. */
  startedOn: Record<string, number>;
}

/** Waits until the task is recorded as ended (the quiet pacing), bounded. */
async function untilEnded(c: ShoalBenchCluster, id: number): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    const row = await c.shoal.db.selectFrom('tasks').select('completed_time').where('id', '=', id).executeTakeFirst();
    if (row?.completed_time != null) return;
    await sleep(2);
  }
  throw new Error(`${taskId(id)} was not recorded as ended`);
}

/**
 * Enqueues `n` no-op tasks one after another (after `warmup` unmeasured ones) and times each
 * from the enqueue call to its start on whichever node took it.
 * - http-any-node: through node1's API with every node at its cap; node1 wakes itself at once.
 * - http-cross-node: node1's cap is 0 for the run, so only node2/node3 can start the task, and
 *   only because node1's pg_notify woke them: the cross-node path.
 * - direct-notify: the bench inserts on its own connection and calls pg_notify; no node hears of
 *   the task but through LISTEN/NOTIFY.
 */
export async function measureClusterLatency(
  c: ShoalBenchCluster,
  variant: LatencyVariant,
  pacing: ClusterLatencyResult['pacing'],
  n: number,
  warmup = 20,
): Promise<ClusterLatencyResult> {
  const node1 = c.clients[0]!;
  const http = variant === 'direct-notify' ? undefined : httpEnqueuer(c.nodes[0]!.url, c.apiKey);
  const ids: string[] = [];
  const enqueue = async () => {
    let id: string;
    if (http) id = await http.enqueue();
    else {
      const row = await enqueueTask(c.shoal, { kind: NOOP_KIND, description: 'benchmark no-op', arguments: {} });
      await notifyQueueChanged(c.shoal);
      id = taskId(Number(row.id));
    }
    ids.push(id);
    return id;
  };
  const settle =
    pacing === 'quiet'
      ? async () => {
          await untilEnded(c, parseTaskId(ids.at(-1)!)!);
          await sleep(5);
        }
      : undefined;
  const startOf = async (id: string) => (await c.board.startOf(id)).at;
  const cap = (await node1.get<{ taskCap: number }>('/api/nodes/node1')).taskCap;
  if (variant === 'http-cross-node') await node1.patch('/api/nodes/node1', { taskCap: 0 });
  try {
    await sequential(warmup, enqueue, startOf, settle, wallNow);
    ids.length = 0;
    const r = await sequential(n, enqueue, startOf, settle, wallNow);
    const numeric = ids.map((id) => parseTaskId(id)!);
    const rows = await c.shoal.db
      .selectFrom('tasks')
      .select(['id', sql<number>`start_time - queue_time`.as('ms')])
      .where('id', 'in', numeric)
      .execute();
    const startedOn: Record<string, number> = {};
    for (const id of ids) {
      const node = c.board.get(id)!.node;
      startedOn[node] = (startedOn[node] ?? 0) + 1;
    }
    return { variant, pacing, wallMs: summarize(r.toStart), dbMs: summarize(rows.map((x) => Number(x.ms))), enqueueCallMs: summarize(r.call), startedOn };
  } finally {
    http?.close();
    if (variant === 'http-cross-node') await node1.patch('/api/nodes/node1', { taskCap: cap });
  }
}
