import fs from 'node:fs';
import path from 'node:path';
import { Logger, runMigrations } from 'graphile-worker';
import { sql } from 'kysely';
import pg from 'pg';
import PgBoss from 'pg-boss';
import type { ThrowawayPostgres } from '../../../server-core/src/testing/throwawayPostgres.js';
import { sleep } from '../../../server-core/src/testing/wait.js';
import type { ProfileSummary } from '../profile.js';
import { bulkEnqueue } from '../throughput.js';
import { isGraphileWorker, type BaselineSystem } from './baselineSystem.js';
import { BenchChild } from './childProcess.js';
import type { ServerStats, StatementCounts } from './pgStats.js';
import { startShoalCluster } from './shoalCluster.js';

export type System = 'shoal' | BaselineSystem;

export interface ThroughputOptions {
  pg: ThrowawayPostgres;
  stats: ServerStats;
  dir: string;
  masterKey: string;
  /** Jobs per run. */
  jobs: number;
  /** Processes (nodes / workers), each with `concurrency` jobs at a time. */
  processes: number;
  concurrency: number;
  /** Sample the CPU of each Shoal node during the run. */
  profile?: boolean;
  /** Makes the database name unique per run. */
  round: number;
}

export interface ThroughputResult {
  system: System;
  round: number;
  jobs: number;
  processes: number;
  totalConcurrency: number;
  /** Queuing every job beforehand, while nothing took them (not part of the run). */
  enqueueMs: number;
  /** Workers told to go (Shoal: queue un-paused) → every job recorded done in the database. */
  runMs: number;
  jobsPerSec: number;
  /** Statements every client sent to this database during the run, per job (pg_stat_statements). */
  statementsPerJob: number;
  statements: StatementCounts;
  /** Jobs each process ran; every job ran exactly once (checked). */
  perProcess: number[];
  /** CPU time per job during the run: the node/worker processes (all threads), and the PostgreSQL server's processes. */
  cpuMsPerJob: { processes: number; server: number };
  /** Shoal: distinct claim tokens, i.e. claim statements that claimed something. */
  claimBatches?: number;
  /** Shoal with `profile`: CPU self time per node. */
  profiles?: ProfileSummary[];
}

/** Marks the benchmark's own completion polls so their statements are left out of the counts. */
export const POLL_MARK = 'bench-poll';
const POLL_MS = 20;
const RUN_TIMEOUT_MS = 120_000;

async function until(done: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`${what}: not done within ${RUN_TIMEOUT_MS / 1000} s`);
    await sleep(POLL_MS);
  }
}

/** CPU of the node/worker processes and of the server, from now until the returned function is called. */
function cpuMeter(stats: ServerStats, procs: BenchChild[]): () => { processesMs: number; serverMs: number } {
  const server = stats.serverCpu();
  const before = procs.map((p) => p.cpuMs());
  return () => ({
    processesMs: procs.reduce((sum, p, i) => sum + (p.cpuMs() - before[i]!), 0),
    serverMs: stats.serverCpuSince(server),
  });
}

function result(
  system: System,
  o: ThroughputOptions,
  enqueueMs: number,
  runMs: number,
  statements: StatementCounts,
  cpu: { processesMs: number; serverMs: number },
  perProcess: number[],
): ThroughputResult {
  const ran = perProcess.reduce((a, b) => a + b, 0);
  if (ran !== o.jobs) throw new Error(`${system}: ${ran} job runs for ${o.jobs} jobs`);
  return {
    system,
    round: o.round,
    jobs: o.jobs,
    processes: o.processes,
    totalConcurrency: o.processes * o.concurrency,
    enqueueMs: Math.round(enqueueMs),
    runMs: Math.round(runMs),
    jobsPerSec: Math.round((o.jobs / runMs) * 1000),
    statementsPerJob: round2(statements.calls / o.jobs),
    statements,
    perProcess,
    cpuMsPerJob: { processes: round2(cpu.processesMs / o.jobs), server: round2(cpu.serverMs / o.jobs) },
  };
}

const round2 = (v: number) => Math.round(v * 100) / 100;

/** Shoal: `processes` nodes at task cap `concurrency`; tasks queued while the cluster queue is paused, then un-paused. */
export async function shoalThroughput(o: ThroughputOptions): Promise<ThroughputResult> {
  const dbName = `shoal_tp_${o.round}`;
  const c = await startShoalCluster({ pg: o.pg, dir: o.dir, dbName, count: o.processes, taskCap: o.concurrency, masterKey: o.masterKey, reportStarts: false });
  try {
    const api = c.clients[0]!;
    await api.call('PUT', '/api/configuration/queue', { paused: true });
    const e0 = performance.now();
    const firstId = await bulkEnqueue(c.shoal, o.jobs);
    const enqueueMs = performance.now() - e0;
    if (o.profile) await Promise.all(c.nodes.map((n) => n.proc.request('profile-start')));
    await o.stats.reset();
    const cpu = cpuMeter(o.stats, c.nodes.map((n) => n.proc));

    const t0 = performance.now();
    await api.call('PUT', '/api/configuration/queue', { paused: false });
    const succeeded = sql<{ n: number }>`select /* ${sql.raw(POLL_MARK)} */ count(*) as n from tasks where id >= ${firstId} and state = 'Success'`;
    await until(async () => Number((await succeeded.execute(c.shoal.db)).rows[0]!.n) >= o.jobs, 'shoal');
    const runMs = performance.now() - t0;
    const used = cpu();

    const statements = await o.stats.read(dbName, POLL_MARK);
    const profiles = o.profile ? await Promise.all(c.nodes.map((n) => n.proc.request<ProfileSummary>('profile-stop'))) : undefined;
    const perProcess = await Promise.all(c.nodes.map((n) => n.proc.request<number>('count')));
    const tokens = await c.shoal.db
      .selectFrom('tasks')
      .select((eb) => eb.fn.count<number>('claim_token').distinct().as('n'))
      .where('id', '>=', firstId)
      .executeTakeFirstOrThrow();
    return { ...result('shoal', o, enqueueMs, runMs, statements, used, perProcess), claimBatches: Number(tokens.n), profiles };
  } finally {
    await c.stop();
  }
}

const QUEUE = 'bench_noop';

/** Installs the baseline's schema and queues every job in bulk, before any worker runs. */
async function prepareBaseline(system: BaselineSystem, url: string, jobs: number): Promise<number> {
  if (isGraphileWorker(system)) {
    await runMigrations({ connectionString: url, logger: new Logger(() => () => {}) });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const e0 = performance.now();
      // Not runnable yet: its workers start before the timed window (as Shoal's nodes are
      // running before theirs), and the window opens by making the jobs due (releaseGraphileJobs).
      await client.query(`select graphile_worker.add_job($1, '{}'::json, run_at => now() + interval '1 day') from generate_series(1, $2)`, [QUEUE, jobs]);
      return performance.now() - e0;
    } finally {
      await client.end();
    }
  }
  const boss = new PgBoss({ connectionString: url, supervise: false, schedule: false });
  boss.on('error', (err) => process.stderr.write(`pg-boss (setup): ${err.message}\n`));
  await boss.start();
  try {
    await boss.createQueue(QUEUE);
    const e0 = performance.now();
    await boss.insert(Array.from({ length: jobs }, () => ({ name: QUEUE, data: {} })));
    return performance.now() - e0;
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
}

/** Makes the queued jobs due now and tells the idle runners (as add_job's trigger would), like Shoal's un-pause. */
async function releaseGraphileJobs(db: pg.Client, jobs: number): Promise<void> {
  await db.query('update graphile_worker._private_jobs set run_at = now()');
  await db.query(`select pg_notify('jobs:insert', json_build_object('count', $1::int)::text)`, [jobs]);
}

/** A baseline queue: `processes` worker processes of `concurrency` each, on a fresh database holding the jobs. */
export async function baselineThroughput(system: BaselineSystem, o: ThroughputOptions): Promise<ThroughputResult> {
  const dbName = `${system.replace(/-/g, '_')}_${o.round}`;
  const url = await o.pg.createDatabase(dbName);
  const enqueueMs = await prepareBaseline(system, url, o.jobs);
  const workers: BenchChild[] = [];
  // On the same file system as Shoal's shared storage folder (see startShoalCluster).
  const logDir = path.join(o.dir, dbName, 'job-logs');
  fs.mkdirSync(logDir, { recursive: true });
  const db = new pg.Client({ connectionString: url, application_name: 'bench-poll' });
  await db.connect();
  try {
    for (let i = 1; i <= o.processes; i++) {
      const { child } = await BenchChild.start(`${system}-${i}`, 'baselineWorker.ts', {
        BENCH_SYSTEM: system,
        BENCH_DATABASE_URL: url,
        BENCH_CONCURRENCY: String(o.concurrency),
        BENCH_QUEUE: QUEUE,
        BENCH_LOG_DIR: logDir,
      });
      workers.push(child);
    }
    // pg-boss keeps completed jobs (state 'completed'); graphile-worker deletes each job once it succeeded.
    const done =
      isGraphileWorker(system)
        ? `select /* ${POLL_MARK} */ count(*) = 0 as done from graphile_worker._private_jobs`
        : `select /* ${POLL_MARK} */ count(*) >= ${o.jobs} as done from pgboss.job where name = '${QUEUE}' and state = 'completed'`;
    await o.stats.reset();
    const cpu = cpuMeter(o.stats, workers);

    // graphile-worker's runners start (connect, LISTEN) before the window; pg-boss's work starts in it.
    if (isGraphileWorker(system)) await Promise.all(workers.map((w) => w.request('go')));
    const t0 = performance.now();
    if (isGraphileWorker(system)) await releaseGraphileJobs(db, o.jobs);
    else await Promise.all(workers.map((w) => w.request('go')));
    await until(async () => (await db.query<{ done: boolean }>(done)).rows[0]!.done, system);
    const runMs = performance.now() - t0;
    const used = cpu();

    const statements = await o.stats.read(dbName, POLL_MARK);
    const ran = await Promise.all(workers.map((w) => w.stop<string[]>()));
    const ids = ran.flatMap((r) => r ?? []);
    if (new Set(ids).size !== ids.length) throw new Error(`${system}: some jobs ran more than once`);
    return result(system, o, enqueueMs, runMs, statements, used, ran.map((r) => r?.length ?? 0));
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await db.end().catch(() => {});
  }
}

export const SYSTEM_LABEL: Record<System, string> = {
  shoal: 'Shoal nodes',
  'pg-boss-work': 'pg-boss work() (batchSize = cap, poll 0.5 s)',
  'pg-boss-fetch': 'pg-boss fetch()+complete() loops',
  'graphile-worker': 'graphile-worker run()',
  'graphile-worker-logged': 'graphile-worker run(), a log file per job',
};
