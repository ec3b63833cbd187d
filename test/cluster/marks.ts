import fs from 'node:fs';
import { maxOverlap, type Interval } from '../helpers/concurrency.js';

/**
 * Scripts in the cluster tests append `start|end <task> <node> <ns>` to one shared file
 * (small O_APPEND writes do not interleave), so the test can see what really ran where.
 */
export const markedScript = (file: string, seconds: number) =>
  `echo "start $SHOAL_TASK_ID $SHOAL_NODE_NAME $(date +%s%N)" >> ${file}\n` +
  `sleep ${seconds}\n` +
  `echo "end $SHOAL_TASK_ID $SHOAL_NODE_NAME $(date +%s%N)" >> ${file}\n`;

export interface Run {
  task: string;
  node: string;
  start: number;
  end: number;
}

export function readRuns(file: string): { starts: Map<string, number>; runs: Run[] } {
  const starts = new Map<string, number>();
  const open = new Map<string, { node: string; start: number }>();
  const runs: Run[] = [];
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  for (const line of text.split('\n').filter(Boolean)) {
    const [what, task, node, ns] = line.split(' ') as [string, string, string, string];
    const ms = Number(BigInt(ns) / 1_000_000n);
    if (what === 'start') {
      starts.set(task, (starts.get(task) ?? 0) + 1);
      open.set(task, { node, start: ms });
    } else {
      const s = open.get(task);
      if (s) runs.push({ task, node: s.node, start: s.start, end: ms });
    }
  }
  return { starts, runs };
}

export function overlapByNode(runs: Run[]): Map<string, number> {
  const byNode = new Map<string, Interval[]>();
  for (const r of runs) byNode.set(r.node, [...(byNode.get(r.node) ?? []), r]);
  return new Map([...byNode].map(([n, list]) => [n, maxOverlap(list)]));
}
