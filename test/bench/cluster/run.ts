/**
 * The HA-cluster benchmark (`npm run bench`, after the standalone one; `--cluster-only` alone):
 * three Shoal nodes, each a process of its own, on a throwaway PostgreSQL.
 *
 * 1. enqueue→start latency of a no-op task, through a node's API and through LISTEN/NOTIFY only;
 * 2. no-op throughput beside pg-boss and graphile-worker with the same processes, concurrency,
 *    job count and PostgreSQL server, each in a fresh database, side by side in one run;
 * 3. kill -9 of a busy node → Offline on a survivor's API, and → its tasks ended Failed.
 *
 * Prints tables and writes bench-results/cluster.json. Everything it starts (PostgreSQL,
 * processes, temp dirs) is removed at the end, on failure, on SIGINT/SIGTERM and at its deadline.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { startThrowawayPostgres } from '../../../server-core/src/testing/throwawayPostgres.js';
import { REPO_ROOT } from '../../helpers/repo.js';
import { onTeardown, teardown } from '../../helpers/teardown.js';
import { tempDir } from '../../helpers/tempDir.js';
import { fsFloor, type FsFloorResult } from '../fsFloor.js';
import { printTable, writeJson, type Row } from '../report.js';
import { measureFailover, type FailoverResult } from './failover.js';
import { measureClusterLatency, VARIANT_LABEL, type ClusterLatencyResult, type LatencyVariant } from './latency.js';
import { measurePgFloor, type PgFloor } from './pgFloor.js';
import { ServerStats } from './pgStats.js';
import { mergeProfiles } from './profiles.js';
import { startShoalCluster } from './shoalCluster.js';
import { baselineThroughput, shoalThroughput, SYSTEM_LABEL, type System, type ThroughputOptions, type ThroughputResult } from './throughput.js';

export interface ClusterBenchOptions {
  quick: boolean;
  /** Also sample the CPU of the Shoal nodes during one more throughput run. */
  profile: boolean;
}

/** Back-to-back: the next task right after the previous one started; quiet (cross-node only): after it ended. */
const LATENCY_RUNS: [LatencyVariant, ClusterLatencyResult['pacing']][] = [
  ['http-any-node', 'back-to-back'],
  ['http-cross-node', 'back-to-back'],
  ['http-cross-node', 'quiet'],
  ['direct-notify', 'back-to-back'],
];
const NODES = 3;
const CAP = 10;
/** Targets are shown beside the figures; the ratios are what travels between machines. */
const TARGET = { p50: 10, p99: 50, failoverMs: 10_000, shoalOverGraphileWorker: 1.2 };
/** kill -9 runs for the failover figures (p50 and max). */
const KILLS = 5;
/** The cluster benchmark must end by itself within five minutes. */
const DEADLINE_MS = 300_000;

let began = Date.now();
const say = (s: string) => process.stderr.write(`bench (cluster) ${((Date.now() - began) / 1000).toFixed(0).padStart(3)} s: ${s}\n`);
const verdict = (v: number, target: number) => (v <= target ? 'pass' : 'MISS');
const round2 = (v: number) => Math.round(v * 100) / 100;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);

/** What each system does for one job, for the fairness notes (printed and in the JSON). */
export const PER_JOB: Record<System, string> = {
  shoal:
    'claim cycle per wake-up (one round trip: a lock of its own for the node name + one UPDATE…FOR UPDATE SKIP LOCKED claiming every free slot, sent together as one implicit transaction; a read of its running tasks\' states at most every 200 ms; ' +
    'the expiry UPDATE at most once a second), a task log: a task that ends within 100 ms (the no-op) has its whole log stored in its completion UPDATE, after a check (begun at most 100 ms earlier, shared by the tasks ending meanwhile) that the task-log folder exists and has room; a longer one is a file on shared storage, ' +
    'no work or artifacts folder unless the kind asks for one (the no-op does not), completion UPDATEs guarded by the claim token and grouped (the outcomes that end while one is in flight go in the next); ' +
    'task rows kept as history; the HTTP API, heartbeats and the offline sweep run beside it',
  'pg-boss-work': 'one fetch statement per batch of up to 10 jobs (SKIP LOCKED), handler for the batch, one complete statement per batch (not awaited); then waits out its 0.5 s polling interval; job rows kept (state completed)',
  'pg-boss-fetch': 'fetch one job (SKIP LOCKED) + complete it, per job, from 10 loops per process that fetch again at once; job rows kept (state completed)',
  'graphile-worker': 'get_job (SKIP LOCKED, per job) + complete_job (deletes the row), per job, 10 workers per process; no history kept, no files',
  'graphile-worker-logged':
    'as graphile-worker, and each job writes a log file of its own as a Shoal task does (a new file in a folder on the same file system as Shoal\'s shared storage: open, 2 lines, fsync, close, through libuv\'s pool)',
};

export async function runClusterBench(o: ClusterBenchOptions): Promise<void> {
  const latencyTasks = o.quick ? 50 : 200;
  // pg-boss work() runs 60 jobs/s whatever the machine (3 workers × batches of 10 per 0.5 s poll): 2,000 keeps the run near 3 minutes.
  const jobs = o.quick ? 1000 : 2000;
  const rounds = o.quick ? 1 : 2;
  const t0 = (began = Date.now());

  // One cleanup however it is reached (end, failure, deadline, signal): two at once would
  // split the cleanups between them, and the first to finish would exit under the other.
  let cleaning: Promise<void> | undefined;
  const cleanUp = () => (cleaning ??= teardown(2000));
  const giveUp = (why: string, code: number) => {
    say(`${why}; cleaning up`);
    setTimeout(() => process.exit(code), 30_000).unref();
    void cleanUp().finally(() => process.exit(code));
  };
  const deadline = setTimeout(() => giveUp(`still running after ${DEADLINE_MS / 1000} s, giving up`, 1), DEADLINE_MS);
  deadline.unref();
  const onSignal = (sig: NodeJS.Signals) => giveUp(sig, 130);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const dir = tempDir('shoal-cluster-bench-');
    const pg = await startThrowawayPostgres();
    onTeardown(() => pg.destroy());
    const stats = await ServerStats.enable(pg);
    onTeardown(() => stats.close());
    const masterKey = crypto.randomBytes(32).toString('base64');
    say(`PostgreSQL on port ${pg.port} with pg_stat_statements; temp dir ${dir}`);

    // 1 and 3: latency, then kill -9, on one cluster.
    const latency: ClusterLatencyResult[] = [];
    const failovers: FailoverResult[] = [];
    say(`latency: ${NODES} nodes at cap ${CAP}, ${latencyTasks} sequential no-op tasks per variant`);
    const lat = await startShoalCluster({ pg, dir, dbName: 'shoal_latency', count: NODES, taskCap: CAP, masterKey, reportStarts: true });
    let floor: PgFloor;
    try {
      floor = await measurePgFloor(lat.databaseUrl, latencyTasks);
      for (const [variant, pacing] of LATENCY_RUNS) {
        const l = await measureClusterLatency(lat, variant, pacing, latencyTasks);
        latency.push(l);
        say(`  ${variant} ${pacing}: p50 ${l.wallMs.p50} ms, p99 ${l.wallMs.p99} ms`);
      }
      for (let k = 1; k <= KILLS; k++) {
        say(`failover ${k}/${KILLS}: kill -9 of a busy node right after its heartbeat`);
        failovers.push(await measureFailover(lat, CAP));
        say(`  tasks ended ${failovers.at(-1)!.toTasksFailedMs} ms after the kill`);
        await lat.restart(lat.nodes.length - 1);
      }
    } finally {
      await lat.stop();
    }

    // 2: throughput, side by side, each system in a fresh database.
    const tp: ThroughputResult[] = [];
    const order: System[] = ['shoal', 'pg-boss-fetch', 'graphile-worker', 'graphile-worker-logged'];
    const base = { pg, stats, dir, masterKey, jobs, processes: NODES, concurrency: CAP };
    const runOne = async (system: System, round: number) => {
      const opts: ThroughputOptions = { ...base, round };
      say(`throughput round ${round}: ${SYSTEM_LABEL[system]}, ${jobs} jobs, ${NODES} processes × ${CAP}`);
      const t = system === 'shoal' ? await shoalThroughput(opts) : await baselineThroughput(system, opts);
      tp.push(t);
      say(`  ${t.jobsPerSec} jobs/s`);
    };
    for (let round = 1; round <= rounds; round++) {
      for (const system of round % 2 ? order : [...order].reverse()) await runOne(system, round);
      if (round === 1) await runOne('pg-boss-work', round);
    }
    // What the file system under the shared storage folder charges for a task log, right after.
    const files = fsFloor(dir, 500);
    let profiled: ThroughputResult | undefined;
    if (o.profile) {
      say('profiling one more Shoal throughput run (not counted)');
      profiled = await shoalThroughput({ ...base, round: 99, profile: true });
    }

    report({ latency, floor, files, failovers, tp, profiled, latencyTasks, jobs, rounds, quick: o.quick });
    say(`done in ${Math.round((Date.now() - t0) / 1000)} s`);
  } finally {
    clearTimeout(deadline);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanUp();
  }
}

function report(r: {
  latency: ClusterLatencyResult[];
  floor: PgFloor;
  files: FsFloorResult;
  failovers: FailoverResult[];
  tp: ThroughputResult[];
  profiled?: ThroughputResult;
  latencyTasks: number;
  jobs: number;
  rounds: number;
  quick: boolean;
}): void {
  printTable(`Cluster enqueue → start latency, ${NODES} nodes (separate processes) on PostgreSQL, ${r.latencyTasks} sequential no-op tasks (ms)`, [
    ['path', 'pacing', 'wall p50', 'p90', 'p99', 'max', 'db p50', 'db p99', 'call p50', 'started on', `p50 ≤ ${TARGET.p50}`, `p99 ≤ ${TARGET.p99}`],
    ...r.latency.map(
      (l): Row => [
        VARIANT_LABEL[l.variant],
        l.pacing,
        l.wallMs.p50,
        l.wallMs.p90,
        l.wallMs.p99,
        l.wallMs.max,
        l.dbMs.p50,
        l.dbMs.p99,
        l.enqueueCallMs.p50,
        Object.entries(l.startedOn).sort().map(([n, c]) => `${n}:${c}`).join(' '),
        verdict(l.wallMs.p50, TARGET.p50),
        verdict(l.wallMs.p99, TARGET.p99),
      ],
    ),
  ]);
  process.stdout.write(
    'wall = enqueue call begun in the bench → run() begun in the node process (performance.timeOrigin + now(), one machine); verdicts use it.\n' +
      'db = tasks.start_time − tasks.queue_time by the database clock (whole ms): insert → claim, without HTTP or the executor.\n',
  );
  printTable('The machine right now (same server, measured just before): bare PostgreSQL hops from the bench process (ms)', [
    ['hop', 'p50', 'p90', 'p99', 'max'],
    ['select 1 round trip', r.floor.roundTripMs.p50, r.floor.roundTripMs.p90, r.floor.roundTripMs.p99, r.floor.roundTripMs.max],
    ['pg_notify → notification on another connection', r.floor.notifyMs.p50, r.floor.notifyMs.p90, r.floor.notifyMs.p99, r.floor.notifyMs.max],
  ]);

  const bySystem = new Map<System, ThroughputResult[]>();
  for (const t of r.tp) bySystem.set(t.system, [...(bySystem.get(t.system) ?? []), t]);
  const meanOf = (s: System) => mean((bySystem.get(s) ?? []).map((t) => t.jobsPerSec));
  printTable(`Throughput: ${r.jobs} no-op jobs, ${NODES} processes × concurrency ${CAP} = ${NODES * CAP}, same PostgreSQL, fresh database each`, [
    ['system', 'round', 'run ms', 'jobs/s', 'statements/job', 'process CPU ms/job', 'server CPU ms/job', 'jobs per process', 'bulk enqueue ms'],
    ...r.tp.map(
      (t): Row => [
        SYSTEM_LABEL[t.system],
        t.round,
        t.runMs,
        t.jobsPerSec,
        t.statementsPerJob,
        t.cpuMsPerJob.processes,
        t.cpuMsPerJob.server,
        t.perProcess.join('/'),
        t.enqueueMs,
      ],
    ),
  ]);
  process.stdout.write(
    'statements: sent to the system\'s database during the run (pg_stat_statements, BEGIN/COMMIT included, the bench\'s own polls left out).\n' +
      'process CPU: user + system time of the 3 node/worker processes (all threads); server CPU: of every PostgreSQL process; both from /proc.\n',
  );
  const shoal = meanOf('shoal');
  const ratio = (s: System) => round2(shoal / meanOf(s));
  const ratios = {
    shoalOverPgBossWork: ratio('pg-boss-work'),
    shoalOverPgBossFetch: ratio('pg-boss-fetch'),
    shoalOverGraphileWorker: ratio('graphile-worker'),
    shoalOverGraphileWorkerLogged: ratio('graphile-worker-logged'),
  };
  printTable('Throughput ratios (mean jobs/s over rounds, every system started before its timed window)', [
    ['ratio', 'value', 'target'],
    ['Shoal ÷ graphile-worker', ratios.shoalOverGraphileWorker, `≥ ${TARGET.shoalOverGraphileWorker}`],
    ['Shoal ÷ graphile-worker with a log file per job', ratios.shoalOverGraphileWorkerLogged, ''],
    ['Shoal ÷ pg-boss fetch()+complete() loops', ratios.shoalOverPgBossFetch, ''],
    ['Shoal ÷ pg-boss work() (paced by its 0.5 s poll: context only)', ratios.shoalOverPgBossWork, ''],
  ]);
  process.stdout.write(
    `Task log files on this file system (the shared storage folder's): ${r.files.cpuUsPerTask} µs CPU and ${round2(r.files.ms / r.files.tasks)} ms wall per new log file ` +
      `(open, 3 lines, fsync, close; ${r.files.tasks} files, one process). Shoal writes one for a task that runs past 100 ms (the no-op keeps its log in the database); graphile-worker alone writes none.\n`,
  );
  const firstShoal = bySystem.get('shoal')?.[0];
  if (firstShoal) {
    process.stdout.write(`Shoal claim statements that claimed something: ${firstShoal.claimBatches} for ${firstShoal.jobs} tasks (round 1).\n`);
    printTable('Most frequent statements in one Shoal run (pg_stat_statements)', [
      ['calls', 'per task', 'mean ms', 'statement'],
      ...firstShoal.statements.top.map((s): Row => [s.calls, round2(s.calls / firstShoal.jobs), s.meanMs, s.query.slice(0, 110)]),
    ]);
  }
  process.stdout.write('\nPer job, each system does:\n');
  for (const [s, what] of Object.entries(PER_JOB)) process.stdout.write(`  ${SYSTEM_LABEL[s as System]}: ${what}\n`);

  const fo = r.failovers;
  const stat = (pick: (f: FailoverResult) => number) => {
    const v = fo.map(pick).sort((a, b) => a - b);
    return { p50: v[Math.floor((v.length - 1) / 2)]!, max: v.at(-1)! };
  };
  const failover = { kills: fo.length, toOfflineMs: stat((f) => f.toOfflineMs), toTasksFailedMs: stat((f) => f.toTasksFailedMs), runs: fo };
  printTable(`kill -9 of a busy node, ${fo.length} times (heartbeat ${fo[0]!.heartbeatIntervalMs / 1000} s, Offline after ${fo[0]!.offlineAfterMs / 1000} s; target ≤ ${TARGET.failoverMs / 1000} s)`, [
    ['measure', 'p50 ms', 'max ms'],
    ['kill → Offline in GET /api/nodes on a survivor', failover.toOfflineMs.p50, failover.toOfflineMs.max],
    ['kill → its tasks ended', failover.toTasksFailedMs.p50, failover.toTasksFailedMs.max],
  ]);
  process.stdout.write(`  its tasks afterwards (last kill): ${JSON.stringify(fo.at(-1)!.endStates)}; message: ${fo.at(-1)!.errorMessage}\n`);

  let profile;
  if (r.profiled?.profiles) {
    profile = mergeProfiles(r.profiled.profiles);
    printTable(`CPU of the ${NODES} Shoal nodes during one more run (${r.profiled.jobsPerSec} tasks/s): self time by area (of ${profile.totalMs} ms sampled)`, [
      ['area', 'ms', '%'],
      ...profile.byArea.map((a): Row => [a.area, a.ms, a.pct]),
    ]);
    printTable('Heaviest functions (self time, all nodes)', [['function', 'ms', '%'], ...profile.topFunctions.map((x): Row => [x.fn, x.ms, x.pct])]);
  }

  const file = writeJson(path.join(REPO_ROOT, 'bench-results'), 'cluster.json', {
    when: new Date().toISOString(),
    machine: { node: process.version, platform: `${os.platform()} ${os.release()}`, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadavg: os.loadavg() },
    quick: r.quick,
    setup: { nodes: NODES, taskCap: CAP, processes: 'one per node / worker', postgres: 'throwaway PostgreSQL 15, fsync off, synchronous_commit off, pg_stat_statements loaded' },
    latency: {
      clocks: {
        wallMs: 'enqueue call begun in the bench → run() begun in the node process: performance.timeOrigin + performance.now() in each process',
        dbMs: 'tasks.start_time − tasks.queue_time, both clock_timestamp() in the database, whole milliseconds',
      },
      target: { p50: TARGET.p50, p99: TARGET.p99, on: 'wallMs' },
      floor: r.floor,
      runs: r.latency.map((l) => ({ ...l, label: VARIANT_LABEL[l.variant], pass: { p50: l.wallMs.p50 <= TARGET.p50, p99: l.wallMs.p99 <= TARGET.p99 } })),
    },
    throughput: {
      jobs: r.jobs,
      rounds: r.rounds,
      totalConcurrency: NODES * CAP,
      runs: r.tp,
      meanJobsPerSec: Object.fromEntries([...bySystem.keys()].map((s) => [s, Math.round(meanOf(s))])),
      ratios,
      target: { shoalOverGraphileWorker: TARGET.shoalOverGraphileWorker },
      taskLogFileFloor: r.files,
      perJob: PER_JOB,
    },
    failover: { ...failover, targetMs: TARGET.failoverMs },
    profile,
  });
  process.stdout.write(`\nWrote ${path.relative(process.cwd(), file) || file}\n`);
}
