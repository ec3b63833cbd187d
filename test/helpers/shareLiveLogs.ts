import assert from 'node:assert/strict';
import type { ShoalClient } from './apiClient.js';
import { readEventStream } from './sse.js';
import { getTask, queueScript } from './tasks.js';

/** A script that prints `lines` numbered lines, each stamped with the time it was written (ns). */
export const stampedLinesScript = (lines: number, gapSeconds: number) =>
  `for i in $(seq 1 ${lines}); do echo "line $i $(date +%s%N)"; sleep ${gapSeconds}; done`;

export interface LiveLogRun {
  /** Lag of each line, written → received by the follower (ms). */
  lagsMs: number[];
  /** Followers served by a node other than the one that ran the task. */
  crossNode: number;
  tasks: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

export function describeLags(label: string, run: LiveLogRun): string {
  const s = [...run.lagsMs].sort((a, b) => a - b);
  return `${label}: ${run.tasks} tasks followed live (${run.crossNode} from another node than the one running them), ${s.length} lines; lag written → shown p50 ${percentile(s, 50).toFixed(0)} ms, p99 ${percentile(s, 99).toFixed(0)} ms, max ${s.at(-1)!.toFixed(0)} ms\n`;
}

/**
 * Queues `count` scripts through `client` (a load balancer) and follows each task's log live
 * through the same address, from before its first line: every line must arrive, in order,
 * then the end with the task's final state.
 */
export async function followTasksLive(client: ShoalClient, count: number, lines = 20, gapSeconds = 0.15): Promise<LiveLogRun> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await queueScript(client, stampedLinesScript(lines, gapSeconds), { description: `live log ${i}` })).id);
  const lagsMs: number[] = [];
  const servedBy = await Promise.all(
    ids.map(async (id) => {
      const r = await readEventStream(`${client.baseUrl}/api/tasks/${id}/log`, client.headers(), () => {}, 120_000);
      assert.equal(r.status, 200);
      const numbered = r.events.flatMap((e) => {
        const m = e.event === 'message' ? /line (\d+) (\d+)$/.exec(e.data) : null;
        return m ? [{ n: Number(m[1]), writtenMs: Number(BigInt(m[2]!) / 1_000_000n), shownMs: performance.timeOrigin + e.at }] : [];
      });
      assert.deepEqual(
        numbered.map((l) => l.n),
        Array.from({ length: lines }, (_, i) => i + 1),
        `${id}: every line, once, in order (served by ${r.node}; last events ${JSON.stringify(r.events.slice(-2))})`,
      );
      for (const l of numbered) lagsMs.push(l.shownMs - l.writtenMs);
      if (process.env.SHOAL_TEST_LAG_DETAIL) process.stderr.write(`${id} ${r.node}: ${numbered.map((l) => Math.round(l.shownMs - l.writtenMs)).join(' ')}\n`);
      const end = r.events.at(-1)!;
      assert.equal(end.event, 'end', `${id}: the stream ends with the task's end`);
      assert.deepEqual(JSON.parse(end.data), { state: 'Success' });
      return r.node;
    }),
  );
  const ranOn = await Promise.all(ids.map(async (id) => (await getTask(client, id)).nodeName));
  return { lagsMs, crossNode: servedBy.filter((n, i) => n !== ranOn[i]).length, tasks: count };
}
