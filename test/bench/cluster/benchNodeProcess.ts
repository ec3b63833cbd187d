/**
 * One Shoal node of the benchmark cluster, in a process of its own (its own event loop, as
 * in production): `startNode` from server-core with the benchmark's task kinds, which a real
 * `shoal run` cannot load. Started by nodeProcess.ts; configured by the environment:
 *
 *   BENCH_NODE_NAME, BENCH_DATA_DIR, BENCH_TASK_CAP   this node
 *   BENCH_DATABASE_URL, BENCH_MASTER_KEY              the cluster's database and master key
 *   BENCH_SHARED_ROOT                                 the cluster-shared storage folder (task logs)
 *   BENCH_ADMIN_PASSWORD                              the first admin's password
 *   BENCH_REPORT_STARTS=1                             send `started` (wall clock) for every no-op task
 *
 * Requests: `count` (no-op tasks run here), `profile-start`/`profile-stop` (CPU profile of this
 * process), `stop` (SIGTERM-like shutdown).
 */
import pino from 'pino';
import { resolveNodeConfig } from '../../../server-core/src/config/nodeConfig.js';
import type { TaskKind } from '../../../server-core/src/executor/taskKind.js';
import { startNode } from '../../../server-core/src/node.js';
import { storageUnder } from '../../../server-core/src/storage/paths.js';
import { NoopKind } from '../noopKind.js';
import { startCpuProfile, type ProfileSummary } from '../profile.js';
import { holdKind } from './holdKind.js';
import { fatal, serveParent, tell } from './ipc.js';

function need(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

async function main() {
  const nodeName = need('BENCH_NODE_NAME');
  const config = resolveNodeConfig(
    { dataDir: need('BENCH_DATA_DIR'), databaseUrl: need('BENCH_DATABASE_URL'), port: 0, nodeName, taskCap: Number(need('BENCH_TASK_CAP')) },
    { SHOAL_MASTER_KEY: need('BENCH_MASTER_KEY') },
  );
  config.storage = storageUnder(need('BENCH_SHARED_ROOT'));
  const reportStarts = process.env.BENCH_REPORT_STARTS === '1';

  const noop = new NoopKind();
  const kind: TaskKind = {
    ...noop.kind,
    run: async (ctx) => {
      await noop.kind.run(ctx);
      if (reportStarts) void tell({ type: 'started', taskId: ctx.taskId, at: performance.timeOrigin + noop.started.get(ctx.taskId)!, node: nodeName });
    },
  };
  const node = await startNode({
    config,
    logger: pino({ level: process.env.SHOAL_LOG_LEVEL ?? 'warn' }, pino.destination(2)),
    adminPassword: need('BENCH_ADMIN_PASSWORD'),
    extraKinds: [kind, holdKind],
  });

  let stopProfile: (() => Promise<ProfileSummary>) | undefined;
  serveParent(
    {
      count: async () => noop.started.size,
      'profile-start': async () => {
        stopProfile = await startCpuProfile(15);
      },
      'profile-stop': async () => {
        const summary = await stopProfile?.();
        stopProfile = undefined;
        return summary;
      },
    },
    () => node.stop(),
  );
  await tell({ type: 'ready', url: node.url });
}

main().catch(fatal);
