import http from 'node:http';
import { enqueueTask } from '../../server-core/src/queue/enqueue.js';
import { taskId } from '../../server-core/src/queue/taskRecord.js';
import type { BenchNode } from './benchNode.js';
import { NOOP_KIND, type NoopKind } from './noopKind.js';
import { summarize, type Summary } from './stats.js';

export interface LatencyResult {
  path: 'http' | 'direct';
  /** back-to-back: the next enqueue right after the previous task started (its completion still in flight);
   *  quiet: only once the previous task was recorded and the executor had 5 ms to settle. */
  pacing: 'back-to-back' | 'quiet';
  /** Enqueue call begun → the task's run() begun. */
  enqueueToStartMs: Summary;
  /** Enqueue call begun → the enqueue call returned (HTTP 201 read / insert done). */
  enqueueCallMs: Summary;
  /** How often the task had already started when the enqueue call returned. */
  startedBeforeReturn: number;
}

/** POST /api/tasks to the node at `baseUrl` over a real keep-alive socket; resolves with the new task's id. */
export function httpEnqueuer(baseUrl: string, apiKey: string, task: { kind: string; arguments: Record<string, unknown> } = { kind: NOOP_KIND, arguments: {} }): { enqueue: () => Promise<string>; close: () => void } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL('/api/tasks', baseUrl);
  const body = JSON.stringify(task);
  const enqueue = () =>
    new Promise<string>((resolve, reject) => {
      const req = http.request(
        url,
        { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-api-key': apiKey } },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (c: string) => (text += c));
          res.on('end', () => (res.statusCode === 201 ? resolve((JSON.parse(text) as { id: string }).id) : reject(new Error(`POST /api/tasks: ${res.statusCode} ${text}`))));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return { enqueue, close: () => agent.destroy() };
}

/** The in-process path: insert the row, wake the local executor (what the route does, minus HTTP). */
function directEnqueuer(bn: BenchNode): () => Promise<string> {
  return async () => {
    const row = await enqueueTask(bn.node.shoal, { kind: NOOP_KIND, description: 'benchmark no-op', arguments: {} });
    bn.node.executor.queueChanged();
    return taskId(Number(row.id));
  };
}

const quiet = (bn: BenchNode) =>
  new Promise<void>((resolve) => {
    const check = () => (bn.node.executor.runningCount === 0 ? setTimeout(resolve, 5) : setTimeout(check, 1));
    check();
  });

/**
 * Enqueues `n` tasks one after another, each after the previous one started. `startOf`
 * resolves with the time a task's run began, on the same clock as `now`.
 */
export async function sequential(
  n: number,
  enqueue: () => Promise<string>,
  startOf: (taskId: string) => Promise<number>,
  settle?: () => Promise<void>,
  now: () => number = () => performance.now(),
) {
  const toStart: number[] = [];
  const call: number[] = [];
  let early = 0;
  for (let i = 0; i < n; i++) {
    const t0 = now();
    const id = await enqueue();
    const t1 = now();
    const started = await startOf(id);
    if (started <= t1) early++;
    toStart.push(started - t0);
    call.push(t1 - t0);
    await settle?.();
  }
  return { toStart, call, early };
}

export async function measureLatency(
  bn: BenchNode,
  noop: NoopKind,
  path: 'http' | 'direct',
  pacing: LatencyResult['pacing'],
  n: number,
  warmup = 20,
): Promise<LatencyResult> {
  const http = path === 'http' ? httpEnqueuer(bn.node.url, bn.apiKey) : undefined;
  const enqueue = http?.enqueue ?? directEnqueuer(bn);
  const settle = pacing === 'quiet' ? () => quiet(bn) : undefined;
  try {
    const startOf = (id: string) => noop.startOf(id);
    await sequential(warmup, enqueue, startOf, settle);
    const r = await sequential(n, enqueue, startOf, settle);
    return { path, pacing, enqueueToStartMs: summarize(r.toStart), enqueueCallMs: summarize(r.call), startedBeforeReturn: r.early };
  } finally {
    http?.close();
  }
}
