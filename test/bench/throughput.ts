import type { ShoalDb } from '../../server-core/src/db/dialects/dialect.js';
import { updateNode } from '../../server-core/src/nodes/registry.js';
import { enqueueTask } from '../../server-core/src/queue/enqueue.js';
import type { BenchNode } from './benchNode.js';
import { NOOP_KIND, type NoopKind } from './noopKind.js';

export interface ThroughputResult {
  tasks: number;
  taskCap: number;
  /** Inserting the tasks (one transaction, the node drained meanwhile). */
  enqueueMs: number;
  /** Undrain → every task recorded Success. */
  runMs: number;
  tasksPerSec: number;
  /** Distinct claim tokens: how many claim statements actually claimed something. */
  claimBatches: number;
  meanBatch: number;
}

const idle = (bn: BenchNode) =>
  new Promise<void>((resolve) => {
    const check = () => (bn.node.executor.runningCount === 0 ? resolve() : setTimeout(check, 1));
    check();
  });

/** Queues `n` no-op tasks in one transaction; returns the first one's numeric id (the rest follow it). */
export async function bulkEnqueue(shoal: ShoalDb, n: number): Promise<number> {
  return shoal.db.transaction().execute(async (trx) => {
    let first = 0;
    for (let i = 0; i < n; i++) {
      const row = await enqueueTask({ ...shoal, db: trx }, { kind: NOOP_KIND, description: 'benchmark no-op', arguments: {} });
      first ||= Number(row.id);
    }
    return first;
  });
}

/** Queues `n` no-op tasks in bulk while the node is drained, then lets it run them all. */
export async function measureThroughput(bn: BenchNode, noop: NoopKind, n: number): Promise<ThroughputResult> {
  const { shoal, config, executor } = bn.node;
  await updateNode(shoal, config.nodeName, { drain: true });
  const e0 = performance.now();
  const firstId = await bulkEnqueue(shoal, n);
  const enqueueMs = performance.now() - e0;
  noop.reset();
  const done = noop.untilStarted(n);

  const t0 = performance.now();
  await updateNode(shoal, config.nodeName, { drain: false });
  executor.wake();
  await done;
  await idle(bn); // every run() returned and its outcome was written
  const runMs = performance.now() - t0;

  const counts = await shoal.db
    .selectFrom('tasks')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.count<number>('claim_token').distinct().as('tokens')])
    .where('kind', '=', NOOP_KIND)
    .where('state', '=', 'Success')
    .where('id', '>=', firstId)
    .executeTakeFirstOrThrow();
  if (Number(counts.n) !== n) throw new Error(`only ${counts.n} of ${n} benchmark tasks ended Success`);
  const claimBatches = Number(counts.tokens);
  return {
    tasks: n,
    taskCap: config.taskCap,
    enqueueMs: Math.round(enqueueMs),
    runMs: Math.round(runMs),
    tasksPerSec: Math.round((n / runMs) * 1000),
    claimBatches,
    meanBatch: Math.round((n / claimBatches) * 10) / 10,
  };
}
