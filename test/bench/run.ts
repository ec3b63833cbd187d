/**
 * Benchmarks (`npm run bench`). First the standalone one: enqueue→start latency and no-op task
 * throughput of an in-process node on SQLite, beside a bare better-sqlite3 baseline measured in
 * the same run, since machines here are shared and only ratios travel. Then the HA-cluster one
 * (cluster/run.ts): three node processes on a throwaway PostgreSQL, beside pg-boss and
 * graphile-worker.
 *
 *   --profile           also sample the CPU during one more throughput run and print where time goes
 *   --quick             smaller counts, for a smoke run
 *   --standalone-only   only the standalone benchmark
 *   --cluster-only      only the cluster benchmark
 *   --upload-only       only the package upload benchmark (upload.ts: 1 GiB through HAProxy beside dd)
 *   --migration-only    only the migration benchmark (migration.ts: 300,000 rows to PostgreSQL beside a plain insert)
 *   --manager-only      only the fleet manager benchmark (manager.ts: 10 clusters × 3 nodes watched by shoal-manager)
 *   --deployments-only  only the deployment benchmark (deployments.ts: 3-step deployment overhead beside bash; a 200-deployment burst on a cluster beside ad-hoc scripts)
 *   --agents-only       only the agent benchmark (agents.ts: queue→start on a polling agent through HAProxy beside the built-in worker)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/repo.js';
import { sqliteBaseline, type BaselineResult } from './baseline.js';
import { startBenchNode } from './benchNode.js';
import { fsFloor, type FsFloorResult } from './fsFloor.js';
import { measureLatency, type LatencyResult } from './latency.js';
import { NoopKind } from './noopKind.js';
import { profile, type ProfileSummary } from './profile.js';
import { printTable, writeJson, type Row } from './report.js';
import { measureThroughput, type ThroughputResult } from './throughput.js';
import { runClusterBench } from './cluster/run.js';
import { runManagerBench } from './manager.js';
import { runMigrationBench } from './migration.js';
import { runUploadBench } from './upload.js';
import { runDeploymentBench } from './deployments.js';
import { runAgentBench } from './agents.js';

const args = new Set(process.argv.slice(2));
const SECTIONS = ['standalone', 'cluster', 'upload', 'migration', 'manager', 'deployments', 'agents'] as const;
const only = SECTIONS.filter((s) => args.has(`--${s}-only`));
if (only.length > 1) {
  process.stderr.write(`bench: ${only.map((s) => `--${s}-only`).join(' and ')} exclude each other\n`);
  process.exit(2);
}
/** Whether a section runs: all of them, or the one named by --<section>-only. */
const runs = (section: (typeof SECTIONS)[number]) => only.length === 0 || only[0] === section;
const QUICK = args.has('--quick');
const LATENCY_TASKS = QUICK ? 50 : 200;
const THROUGHPUT_TASKS = QUICK ? 1000 : 5000;
const THROUGHPUT_CAP = 50;
const TARGET = { p50: 5, p99: 25 };
/** The whole run must end by itself well within three minutes. */
const DEADLINE_MS = 170_000;

let dir = '';
const cleanup = () => dir && fs.rmSync(dir, { recursive: true, force: true });

const say = (s: string) => process.stderr.write(`bench: ${s}\n`);
const verdict = (v: number, target: number) => (v <= target ? 'pass' : 'MISS');

async function main() {
  const noop = new NoopKind();
  const latency: LatencyResult[] = [];
  const baselines: BaselineResult[] = [];
  let throughput: ThroughputResult;
  let files: FsFloorResult;
  let prof: ProfileSummary | undefined;

  say(`latency: ${LATENCY_TASKS} sequential no-op tasks per path (temp dir ${dir})`);
  const latNode = await startBenchNode(dir, noop, 5, 'latency');
  try {
    for (const pacing of ['back-to-back', 'quiet'] as const) {
      latency.push(await measureLatency(latNode, noop, 'http', pacing, LATENCY_TASKS));
      latency.push(await measureLatency(latNode, noop, 'direct', pacing, LATENCY_TASKS));
    }
  } finally {
    await latNode.node.stop();
  }

  say(`throughput: ${THROUGHPUT_TASKS} no-op tasks at task cap ${THROUGHPUT_CAP}, between two baselines`);
  baselines.push(sqliteBaseline(dir, THROUGHPUT_TASKS, 'baseline-before'));
  const tpNode = await startBenchNode(dir, noop, THROUGHPUT_CAP, 'throughput');
  try {
    throughput = await measureThroughput(tpNode, noop, THROUGHPUT_TASKS);
    baselines.push(sqliteBaseline(dir, THROUGHPUT_TASKS, 'baseline-after'));
    files = fsFloor(dir, THROUGHPUT_TASKS);
    if (args.has('--profile')) {
      say('profiling one more throughput run');
      prof = (await profile(() => measureThroughput(tpNode, noop, THROUGHPUT_TASKS))).summary;
    }
  } finally {
    await tpNode.node.stop();
  }

  const baselineOps = Math.round(baselines.reduce((s, b) => s + b.opsPerSec, 0) / baselines.length);
  const ratio = Math.round((throughput.tasksPerSec / baselineOps) * 1000) / 1000;
  // What a no-op task could reach if its only costs were the baseline transaction and the executor's files.
  const floorPerSec = Math.round(1 / (1 / baselineOps + 1 / files.tasksPerSec));

  printTable(`Enqueue → start latency, ${LATENCY_TASKS} sequential no-op tasks (ms)`, [
    ['path', 'pacing', 'p50', 'p90', 'p99', 'max', 'mean', 'enqueue call p50', 'started before call returned', `p50 ≤ ${TARGET.p50}`, `p99 ≤ ${TARGET.p99}`],
    ...latency.map(
      (l): Row => [
        l.path === 'http' ? 'HTTP POST /api/tasks (API key)' : 'enqueueTask + queueChanged()',
        l.pacing,
        l.enqueueToStartMs.p50,
        l.enqueueToStartMs.p90,
        l.enqueueToStartMs.p99,
        l.enqueueToStartMs.max,
        l.enqueueToStartMs.mean,
        l.enqueueCallMs.p50,
        `${l.startedBeforeReturn}/${l.enqueueToStartMs.n}`,
        verdict(l.enqueueToStartMs.p50, TARGET.p50),
        verdict(l.enqueueToStartMs.p99, TARGET.p99),
      ],
    ),
  ]);
  printTable(`Throughput, ${THROUGHPUT_TASKS} no-op tasks vs bare SQLite (insert+update per transaction, WAL, synchronous NORMAL)`, [
    ['measure', 'value'],
    ['Shoal no-op tasks/s (cap 50)', throughput.tasksPerSec],
    ['  run time ms', throughput.runMs],
    ['  claim batches (mean size)', `${throughput.claimBatches} (${throughput.meanBatch})`],
    ['  bulk enqueue ms (one transaction)', throughput.enqueueMs],
    ...baselines.map((b, i): Row => [`SQLite baseline ops/s (${i === 0 ? 'before' : 'after'})`, b.opsPerSec]),
    ['ratio tasks/s ÷ baseline ops/s', ratio],
    // The baseline's transactions insert and complete each job; Shoal's run above only completes them.
    ['ratio with enqueue timed on both sides: tasks/(enqueue + run) ÷ baseline ops/s', Math.round(((throughput.tasks / (throughput.enqueueMs + throughput.runMs)) * 1000 / baselineOps) * 1000) / 1000],
    ['per-task files alone (log, work, artifacts dirs) /s', files.tasksPerSec],
    ['SQLite + files floor /s (harmonic)', floorPerSec],
    ['ratio tasks/s ÷ (SQLite + files) floor', Math.round((throughput.tasksPerSec / floorPerSec) * 1000) / 1000],
  ]);
  if (prof) {
    printTable(`CPU profile of one throughput run: self time by area (of ${prof.totalMs} ms sampled)`, [
      ['area', 'ms', '%'],
      ...prof.byArea.map((a): Row => [a.area, a.ms, a.pct]),
    ]);
    printTable('Heaviest functions (self time)', [['function', 'ms', '%'], ...prof.topFunctions.map((f): Row => [f.fn, f.ms, f.pct])]);
  }

  const file = writeJson(path.join(REPO_ROOT, 'bench-results'), 'standalone.json', {
    when: new Date().toISOString(),
    machine: { node: process.version, platform: `${os.platform()} ${os.release()}`, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadavg: os.loadavg() },
    quick: QUICK,
    latency: latency.map((l) => ({
      ...l,
      target: TARGET,
      pass: { p50: l.enqueueToStartMs.p50 <= TARGET.p50, p99: l.enqueueToStartMs.p99 <= TARGET.p99 },
    })),
    throughput: {
      ...throughput,
      baselines,
      baselineOpsPerSec: baselineOps,
      ratio,
      filesFloor: files,
      sqlitePlusFilesFloorPerSec: floorPerSec,
      ratioToFloor: Math.round((throughput.tasksPerSec / floorPerSec) * 1000) / 1000,
    },
    profile: prof,
  });
  process.stdout.write(`\nWrote ${path.relative(process.cwd(), file) || file}\n`);
}

async function standalone() {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-bench-'));
  const deadline = setTimeout(() => {
    process.stderr.write(`bench: still running after ${DEADLINE_MS / 1000} s; giving up.\n`);
    cleanup();
    process.exit(1);
  }, DEADLINE_MS);
  deadline.unref();
  const t0 = Date.now();
  try {
    await main();
  } finally {
    clearTimeout(deadline);
    // Removing the temp dir is slow on its own: every task left a log file and an artifacts folder.
    const c0 = Date.now();
    cleanup();
    say(`done in ${Math.round((Date.now() - t0) / 1000)} s (removing the temp dir took ${Math.round((Date.now() - c0) / 1000)} s)`);
  }
}

const failed = (what: string) => (err: unknown) => {
  process.stderr.write(`bench${what} failed: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
};
// Each section reports on its own; a failed one sets the exit code and the next still runs.
if (runs('standalone')) await standalone().catch(failed(''));
if (runs('cluster')) await runClusterBench({ quick: QUICK, profile: args.has('--profile') }).catch(failed(' (cluster)'));
if (runs('upload')) await runUploadBench({ sizeMiB: QUICK ? 256 : 1024 }).catch(failed(' (upload)'));
if (runs('migration')) await runMigrationBench({ quick: QUICK }).catch(failed(' (migration)'));
if (runs('manager')) await runManagerBench({ quick: QUICK }).catch(failed(' (manager)'));
if (runs('deployments')) await runDeploymentBench({ quick: QUICK }).catch(failed(' (deployments)'));
if (runs('agents')) await runAgentBench({ quick: QUICK }).catch(failed(' (agents)'));
