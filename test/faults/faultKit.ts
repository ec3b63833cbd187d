/**
 * What every fault scenario shares: a real cluster, scripts whose side effects are
 * counted outside Shoal (each appends to one file), and the checks that nothing was lost,
 * nothing ran twice, and no side effect happened after the cluster had ended its task.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ShoalClient } from '../helpers/apiClient.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { processRuns } from '../../server-core/src/testing/processes.js';
import type { ThrowawayPostgresOptions } from '../../server-core/src/testing/throwawayPostgres.js';
import type { ShoalProcess } from '../helpers/shoalProcess.js';
import { FINAL_STATES, getTask, queueScript, type Task } from '../helpers/tasks.js';
import { sleep, waitFor } from '../helpers/waitFor.js';

export interface FaultCluster extends Cluster {
  client: ShoalClient;
  /** The file every script appends its marks to. */
  marks: string;
}

export async function startFaultCluster(count: number, taskCap: number, postgres: ThrowawayPostgresOptions = {}): Promise<FaultCluster> {
  // Crash-safe commits: a test that kills PostgreSQL must not lose what it acknowledged.
  const cluster = await startCluster(count, taskCap, { postgres: { durableCommits: true, ...postgres } });
  const client = await ShoalClient.login(cluster.nodes[0]!.url, 'admin', cluster.nodes[0]!.adminPassword);
  return { ...cluster, client, marks: path.join(cluster.dir, 'marks.log') };
}

/**
 * A script that marks its start (with its pid), works for `seconds`, then performs its
 * side effect: the `end` mark. A script killed before its end has no side effect.
 */
export const sideEffectScript = (marks: string, seconds: number): string =>
  `echo "start $SHOAL_TASK_ID $SHOAL_NODE_NAME $(date +%s%3N) $$" >> ${marks}\n` +
  `sleep ${seconds}\n` +
  `echo "end $SHOAL_TASK_ID $SHOAL_NODE_NAME $(date +%s%3N) $$" >> ${marks}\n`;

export interface Marks {
  starts: number;
  /** When each side effect happened (epoch ms, this machine's clock). */
  ends: number[];
  pids: number[];
  nodes: string[];
}

export function readMarks(file: string): Map<string, Marks> {
  const out = new Map<string, Marks>();
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  for (const line of text.split('\n').filter(Boolean)) {
    const [what, task, node, ms, pid] = line.split(' ') as [string, string, string, string, string];
    const m = out.get(task) ?? { starts: 0, ends: [], pids: [], nodes: [] };
    if (what === 'start') {
      m.starts++;
      m.pids.push(Number(pid));
      m.nodes.push(node);
    } else m.ends.push(Number(ms));
    out.set(task, m);
  }
  return out;
}

export async function queueSideEffects(c: FaultCluster, count: number, seconds: number, client = c.client): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await queueScript(client, sideEffectScript(c.marks, seconds))).id);
  return ids;
}

/** Waits until every task is final (bounded), polling through `client`. */
export function waitAllFinal(client: ShoalClient, ids: string[], timeoutMs = 120_000): Promise<Task[]> {
  return waitFor(
    async () => {
      const tasks = await Promise.all(ids.map((id) => getTask(client, id)));
      return tasks.every((t) => FINAL_STATES.includes(t.state)) ? tasks : undefined;
    },
    { timeoutMs, intervalMs: 500, message: 'tasks did not all reach a final state' },
  );
}

/** Waits until at least `n` of the tasks started their script; returns their marks. */
export async function waitStarted(c: FaultCluster, ids: string[], n: number, timeoutMs = 30_000): Promise<Map<string, Marks>> {
  return waitFor(
    () => {
      const started = new Map([...readMarks(c.marks)].filter(([id, m]) => ids.includes(id) && m.starts > 0));
      return started.size >= n ? started : undefined;
    },
    { timeoutMs, intervalMs: 100, message: `fewer than ${n} tasks started` },
  );
}

/**
 * 0 lost: every task final. 0 twice: no script started twice. Correct states: a Success
 * did its side effect exactly once, and no task's side effect came after the cluster
 * ended it (a Failed or Canceled task may have done it only before it was ended).
 */
export function assertNothingLostOrDoubled(tasks: Task[], marksFile: string): void {
  const marks = readMarks(marksFile);
  const problems: string[] = [];
  for (const t of tasks) {
    const m = marks.get(t.id) ?? { starts: 0, ends: [], pids: [], nodes: [] };
    if (!FINAL_STATES.includes(t.state)) problems.push(`${t.id} is still ${t.state}`);
    if (m.starts > 1) problems.push(`${t.id} started ${m.starts} times (${m.nodes.join(', ')})`);
    if (m.ends.length > 1) problems.push(`${t.id} did its side effect ${m.ends.length} times`);
    if (t.state === 'Success' && m.ends.length !== 1) problems.push(`${t.id} is Success but did its side effect ${m.ends.length} times`);
    const endedAt = t.completedTime ? Date.parse(t.completedTime) : Infinity;
    // The side effect is written just before the script exits, the outcome just after.
    if (t.state !== 'Success' && m.ends.some((e) => e > endedAt)) problems.push(`${t.id} (${t.state} at ${t.completedTime}) did its side effect afterwards`);
  }
  assert.deepEqual(problems, []);
}

export function assertAllAlive(nodes: ShoalProcess[]): void {
  for (const n of nodes) assert.equal(n.child.exitCode ?? n.child.signalCode, null, `${n.nodeName} exited:\n${n.output()}`);
}

/** The node's ping status, or 0 when it does not answer within a second and a half. */
export async function pingStatus(url: string): Promise<number> {
  try {
    const res = await fetch(`${url}/api/nodes/ping`, { signal: AbortSignal.timeout(1500) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/** The pids (from their start marks) of scripts still running. */
export const livePids = (marks: Map<string, Marks>): number[] => [...marks.values()].flatMap((m) => m.pids).filter(processRuns);

/** Polls `fn` every `everyMs` until `ms` have passed, collecting what it returns. */
export async function sample<T>(ms: number, everyMs: number, fn: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  const end = Date.now() + ms;
  while (Date.now() < end) {
    out.push(await fn());
    await sleep(everyMs);
  }
  return out;
}
