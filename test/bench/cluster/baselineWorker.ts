/**
 * One worker process of a baseline queue for the throughput comparison, the counterpart of
 * one Shoal node: pg-boss or graphile-worker with `BENCH_CONCURRENCY` jobs at a time, each
 * job a no-op that notes its id. Environment:
 *
 *   BENCH_SYSTEM        pg-boss-work | pg-boss-fetch | graphile-worker | graphile-worker-logged
 *   BENCH_LOG_DIR       graphile-worker-logged: the folder each job writes its log file in
 *   BENCH_DATABASE_URL  its database (schema installed and jobs queued by the benchmark)
 *   BENCH_CONCURRENCY   jobs in flight in this process
 *   BENCH_QUEUE         the queue (pg-boss) or task identifier (graphile-worker)
 *
 * Connects on start and reports `ready`; takes jobs only after `go`; `stop` answers with the
 * ids of the jobs it ran (the benchmark checks every job ran exactly once).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger, run, type Runner } from 'graphile-worker';
import PgBoss from 'pg-boss';
import { isGraphileWorker, type BaselineSystem } from './baselineSystem.js';
import { fatal, serveParent, tell } from './ipc.js';



function need(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

interface Worker {
  go(): Promise<void>;
  stop(): Promise<void>;
}

/** pg-boss's own workers: `work()` with batchSize = concurrency, at its shortest polling interval. */
function pgBossWork(boss: PgBoss, queue: string, concurrency: number, ran: string[]): Worker {
  return {
    async go() {
      await boss.work(queue, { batchSize: concurrency, pollingIntervalSeconds: 0.5 }, async (jobs) => {
        for (const j of jobs) ran.push(j.id);
      });
    },
    stop: () => boss.stop({ graceful: true, wait: true, timeout: 5000 }),
  };
}

/** pg-boss's fetch/complete, driven by `concurrency` loops that fetch the next job at once: no poll pacing. */
function pgBossFetch(boss: PgBoss, queue: string, concurrency: number, ran: string[]): Worker {
  let stopping = false;
  let loops: Promise<void>[] = [];
  const loop = async () => {
    while (!stopping) {
      const [job] = await boss.fetch(queue);
      if (!job) {
        await sleep(25);
        continue;
      }
      ran.push(job.id);
      await boss.complete(queue, job.id);
    }
  };
  return {
    async go() {
      loops = Array.from({ length: concurrency }, loop);
    },
    async stop() {
      stopping = true;
      await Promise.all(loops);
      await boss.stop({ graceful: true, wait: true, timeout: 5000 });
    },
  };
}

/**
 * What a job of a queue library does to keep a log of its own, as each Shoal task does: a new
 * file in a shared folder, two lines appended, flushed to disk, closed (through libuv's pool).
 */
async function writeJobLog(dir: string, id: string): Promise<void> {
  const fh = await fs.open(path.join(dir, `job-${id}.log`), 'a');
  try {
    const stamp = new Date().toISOString();
    await fh.write(`${stamp} INFO  Job ${id} started\n${stamp} END   Success\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * graphile-worker's runner with `concurrency` (it LISTENs for new jobs and fetches the next one
 * as each ends); with `logDir`, each job writes its log file there.
 */
function graphileWorker(url: string, queue: string, concurrency: number, ran: string[], logDir?: string): Worker {
  let runner: Runner | undefined;
  const silent = new Logger(() => (level, message) => {
    if (level === 'error') process.stderr.write(`graphile-worker: ${message}\n`);
  });
  return {
    async go() {
      runner = await run({
        connectionString: url,
        concurrency,
        noHandleSignals: true,
        logger: silent,
        taskList: {
          [queue]: async (_payload, helpers) => {
            ran.push(String(helpers.job.id));
            if (logDir) await writeJobLog(logDir, String(helpers.job.id));
          },
        },
      });
    },
    stop: async () => runner?.stop(),
  };
}

async function main() {
  const system = need('BENCH_SYSTEM') as BaselineSystem;
  const url = need('BENCH_DATABASE_URL');
  const concurrency = Number(need('BENCH_CONCURRENCY'));
  const queue = need('BENCH_QUEUE');
  const ran: string[] = [];
  let worker: Worker;
  if (isGraphileWorker(system)) worker = graphileWorker(url, queue, concurrency, ran, system === 'graphile-worker-logged' ? need('BENCH_LOG_DIR') : undefined);
  else {
    const boss = new PgBoss({ connectionString: url });
    boss.on('error', (err) => process.stderr.write(`pg-boss: ${err.message}\n`));
    await boss.start();
    worker = (system === 'pg-boss-work' ? pgBossWork : pgBossFetch)(boss, queue, concurrency, ran);
  }
  serveParent({ go: () => worker.go() }, async () => {
    await worker.stop();
    return ran;
  });
  await tell({ type: 'ready' });
}

main().catch(fatal);
