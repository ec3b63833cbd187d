/**
 * Deployment benchmark (`npm run bench`, `--deployments-only` alone):
 * 1. overhead on a standalone node: a 3-step server-side deployment of trivial scripts,
 *    queue → done p50/p99, beside the same three scripts run directly by bash in the same run;
 * 2. a burst of 200 deployments across 20 projects on a 3-node PostgreSQL cluster: deployments/s
 *    and p99 queue wait, beside 200 plain ad-hoc script tasks in the same run.
 * Times come from the tasks' queue/start/completion stamps (the database clock).
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { ShoalClient } from '../helpers/apiClient.js';
import { startCluster } from '../helpers/cluster.js';
import { REPO_ROOT } from '../helpers/repo.js';
import { teardown } from '../helpers/teardown.js';
import { tempDir } from '../helpers/tempDir.js';
import { waitFor } from '../helpers/waitFor.js';
import { startBenchNode } from './benchNode.js';
import { NoopKind } from './noopKind.js';
import { printTable, writeJson } from './report.js';
import { summarize } from './stats.js';

const SPACE = '/api/Spaces-1';
const SCRIPTS = ['echo "step one"', 'echo "step two"', 'echo "step three"'];
const TARGET_RATIO = 3;
const say = (s: string) => process.stderr.write(`bench (deployments): ${s}\n`);

interface TaskTimes {
  queue_time: number;
  start_time: number | null;
  completed_time: number | null;
  state: string;
}

/** Environments, a lifecycle with them in one phase, `projects` projects with the 3-step process, and a release each. */
async function model(api: ShoalClient, projects: number, environments: string[]) {
  const envIds: string[] = [];
  for (const name of environments) envIds.push((await api.post(`${SPACE}/environments`, { name })).id);
  const lifecycle = await api.post(`${SPACE}/lifecycles`, { name: 'Bench', phases: [{ name: 'All', environmentIds: envIds }] });
  const releases: string[] = [];
  for (let i = 0; i < projects; i++) {
    const p = await api.post(`${SPACE}/projects`, { name: `Bench ${i}`, lifecycleId: lifecycle.id });
    await api.call('PUT', `${SPACE}/projects/${p.id}/process`, { steps: SCRIPTS.map((script, n) => ({ name: `Step ${n + 1}`, action: 'RunScript', properties: { script } })) }, 200);
    releases.push((await api.post(`${SPACE}/releases`, { projectId: p.id })).id);
  }
  return { envIds, releases };
}

const allDone = (api: ShoalClient, taskIds: string[], timeoutMs: number) =>
  waitFor(
    async () => {
      const tasks = await Promise.all(taskIds.map((id) => api.get(`/api/tasks/${id}`)));
      return tasks.every((t) => ['Success', 'Failed', 'Canceled', 'TimedOut'].includes(t.state)) ? tasks : undefined;
    },
    { timeoutMs, intervalMs: 200, message: 'the burst did not finish' },
  );

const ms = (iso: string | null) => (iso ? Date.parse(iso) : NaN);

function burstFigures(tasks: { state: string; queueTime: string; startTime: string | null; completedTime: string | null }[]) {
  const first = Math.min(...tasks.map((t) => ms(t.queueTime)));
  const last = Math.max(...tasks.map((t) => ms(t.completedTime)));
  return {
    n: tasks.length,
    failed: tasks.filter((t) => t.state !== 'Success').length,
    perSecond: Math.round((tasks.length / ((last - first) / 1000)) * 10) / 10,
    queueWaitMs: summarize(tasks.map((t) => ms(t.startTime) - ms(t.queueTime))),
    queueToDoneMs: summarize(tasks.map((t) => ms(t.completedTime) - ms(t.queueTime))),
  };
}

async function overhead(quick: boolean) {
  const count = quick ? 10 : 40;
  const dir = tempDir('shoal-bench-deploy-');
  const bench = await startBenchNode(dir, new NoopKind(), 5, 'deploy-overhead');
  try {
    const api = new ShoalClient(bench.node.url, { apiKey: bench.apiKey });
    const { envIds, releases } = await model(api, 1, ['Bench']);
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const d = await api.post(`${SPACE}/deployments`, { releaseId: releases[0], environmentId: envIds[0] });
      const t = await waitFor(async () => {
        const row = (await bench.node.shoal.db.selectFrom('tasks').select(['queue_time', 'start_time', 'completed_time', 'state']).where('id', '=', Number(d.taskId.split('-')[1])).executeTakeFirst()) as TaskTimes | undefined;
        return row?.completed_time ? row : undefined;
      }, { timeoutMs: 30_000, intervalMs: 5 });
      if (t.state !== 'Success') throw new Error(`${d.taskId} ended ${t.state}`);
      times.push(Number(t.completed_time) - Number(t.queue_time));
    }
    const bash: number[] = [];
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      for (const s of SCRIPTS) execFileSync('bash', ['--noprofile', '--norc', '-e', '-c', s], { stdio: 'ignore' });
      bash.push(performance.now() - t0);
    }
    return { count, deployment: summarize(times), bash: summarize(bash) };
  } finally {
    await bench.node.stop();
  }
}

/** Runs the requests with at most `width` in flight (a build farm, not 200 sockets at once); keeps their order. */
async function inFlight<T>(width: number, jobs: (() => Promise<T>)[]): Promise<{ results: T[]; ms: number }> {
  const t0 = performance.now();
  const results: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) {
        const i = next++;
        results[i] = await jobs[i]!();
      }
    }),
  );
  return { results, ms: Math.round(performance.now() - t0) };
}

async function burst(quick: boolean) {
  const projects = quick ? 5 : 20;
  const perProject = quick ? 4 : 10;
  const cluster = await startCluster(3, 10);
  const api = await ShoalClient.login(cluster.nodes[0]!.url, 'admin', cluster.nodes[0]!.adminPassword);
  const nodes = cluster.nodes.map((n) => api.at(n.url));
  const { envIds, releases } = await model(api, projects, ['Blue', 'Green']);
  // Requests spread over the three nodes, as a load balancer would, 12 in flight.
  const deployJobs: (() => Promise<{ taskId: string }>)[] = [];
  for (let i = 0; i < perProject; i++) releases.forEach((r, p) => deployJobs.push(() => nodes[(i + p) % 3]!.post(`${SPACE}/deployments`, { releaseId: r, environmentId: envIds[i % 2] })));
  const queuedDeployments = await inFlight(12, deployJobs);
  const deployed = { ...burstFigures(await allDone(api, queuedDeployments.results.map((d) => d.taskId), 180_000)), queueingMs: queuedDeployments.ms };
  const script = SCRIPTS.join('\n');
  const scriptJobs = Array.from({ length: projects * perProject }, (_, i) => () => nodes[i % 3]!.post<{ id: string }>('/api/tasks', { kind: 'AdHocScript', arguments: { script, syntax: 'bash' } }));
  const queuedScripts = await inFlight(12, scriptJobs);
  const scripts = { ...burstFigures(await allDone(api, queuedScripts.results.map((t) => t.id), 180_000)), queueingMs: queuedScripts.ms };
  return { projects, environments: 2, nodes: 3, taskCap: 10, requestsInFlight: 12, deployments: deployed, adHocScripts: scripts };
}

export async function runDeploymentBench(o: { quick: boolean }): Promise<void> {
  try {
    say('overhead: 3-step deployments on a standalone node, beside the same scripts in bash');
    const oh = await overhead(o.quick);
    const ratio = { p50: Math.round((oh.deployment.p50 / oh.bash.p50) * 100) / 100, p99: Math.round((oh.deployment.p99 / oh.bash.p99) * 100) / 100 };
    printTable(`Deployment overhead: ${oh.count} sequential 3-step server-side deployments of trivial scripts (ms)`, [
      ['measure', 'p50', 'p90', 'p99', 'max'],
      ['deployment queue → done', oh.deployment.p50, oh.deployment.p90, oh.deployment.p99, oh.deployment.max],
      ['the 3 scripts run by bash', oh.bash.p50, oh.bash.p90, oh.bash.p99, oh.bash.max],
      ['ratio', ratio.p50, '', ratio.p99, ''],
      [`target p50 ratio ≤ ${TARGET_RATIO}`, ratio.p50 <= TARGET_RATIO ? 'pass' : 'MISS', '', '', ''],
    ]);
    say('burst: deployments and ad-hoc scripts on a 3-node PostgreSQL cluster');
    const b = await burst(o.quick);
    const row = (name: string, f: ReturnType<typeof burstFigures> & { queueingMs: number }) => [name, f.n, f.failed, f.queueingMs, f.perSecond, f.queueWaitMs.p50, f.queueWaitMs.p99, f.queueToDoneMs.p50, f.queueToDoneMs.p99];
    printTable(`Burst on a 3-node cluster (cap ${b.taskCap} each), ${b.projects} projects × ${b.environments} environments (ms)`, [
      ['tasks', 'n', 'failed', 'all queued in', 'per s', 'queue wait p50', 'queue wait p99', 'queue→done p50', 'queue→done p99'],
      row('deployments (one at a time per project+environment)', b.deployments),
      row('ad-hoc scripts (no concurrency tag)', b.adHocScripts),
      ['ratio deployments/s ÷ scripts/s', '', '', '', Math.round((b.deployments.perSecond / b.adHocScripts.perSecond) * 100) / 100, '', '', '', ''],
    ]);
    const file = writeJson(path.join(REPO_ROOT, 'bench-results'), 'deployments.json', {
      when: new Date().toISOString(),
      machine: { node: process.version, cpus: os.cpus().length, loadavg: os.loadavg() },
      quick: o.quick,
      overhead: { ...oh, ratio, target: { p50Ratio: TARGET_RATIO }, pass: ratio.p50 <= TARGET_RATIO },
      burst: b,
    });
    process.stdout.write(`\nWrote ${path.relative(process.cwd(), file)}\n`);
  } finally {
    await teardown();
  }
}

