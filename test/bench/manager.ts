/**
 * The manager watching a fleet (`npm run bench -- --manager-only`): 10 clusters of 3 real nodes,
 * each on its own database of one throwaway PostgreSQL behind its own HAProxy, connected to one
 * `shoal-manager` process checking every 5 s. Measured: requests per cluster per minute (counted
 * by each HAProxy), the manager's CPU and RSS over a steady minute, and the time from a node's
 * kill -9 to the manager's notification (target: the cluster's offline threshold + at most 5 s).
 */
import os from 'node:os';
import path from 'node:path';
import { OFFLINE_AFTER_MS } from '../../server-core/src/queue/leaseTimings.js';
import { startThrowawayPostgres } from '../../server-core/src/testing/throwawayPostgres.js';
import { ShoalClient } from '../helpers/apiClient.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { freePort } from '../helpers/freePort.js';
import { startHaproxy, type Haproxy } from '../helpers/haproxy.js';
import { REPO_ROOT } from '../helpers/repo.js';
import { ManagerSession, startShoalManager } from '../helpers/shoalManagerProcess.js';
import { readEventStream } from '../helpers/sse.js';
import { onTeardown, teardown } from '../helpers/teardown.js';
import { tempDir } from '../helpers/tempDir.js';
import { sleep, waitFor } from '../../server-core/src/testing/wait.js';
import { processCpuMs } from './cluster/cpu.js';
import { printTable, writeJson } from './report.js';
import { rssOf } from '../storage/upload.js';

const INTERVAL_MS = 5000;
const OFFLINE_THRESHOLD_MS = OFFLINE_AFTER_MS;
const TARGET_MS = OFFLINE_THRESHOLD_MS + 5000;
const say = (s: string) => process.stderr.write(`bench (manager): ${s}\n`);

interface Target {
  cluster: Cluster;
  lb: Haproxy;
  connectionId: string;
}

export async function runManagerBench(o: { quick: boolean }): Promise<void> {
  const clusters = o.quick ? 3 : 10;
  const steadyMs = o.quick ? 20_000 : 60_000;
  const deadline = setTimeout(() => {
    say('still running after 15 minutes; giving up');
    void teardown().finally(() => process.exit(1));
  }, 15 * 60_000);
  try {
    say(`starting ${clusters} clusters of 3 nodes on one PostgreSQL, each behind HAProxy`);
    const pg = await startThrowawayPostgres();
    onTeardown(() => pg.destroy());
    const work = tempDir('shoal-bench-manager-');
    const manager = await startShoalManager(['--secrets', 'session', '--data-dir', path.join(work, 'manager'), '--interval-ms', String(INTERVAL_MS)]);
    const page = await ManagerSession.open(manager);
    const targets: Target[] = [];
    for (let i = 1; i <= clusters; i++) {
      // Thirty nodes start on two shared cores: give each more than the tests' 20 s.
      const cluster = await startCluster(3, 2, { pg, database: `fleet${i}`, startTimeoutMs: 90_000 });
      const lb = await startHaproxy(cluster.dir, await freePort(), cluster.nodes.map((n) => ({ name: n.nodeName, port: n.port })), { logRequests: true });
      const apiKey = await (await ShoalClient.login(lb.url, 'admin', cluster.nodes[0]!.adminPassword)).createApiKey('bench');
      const { id } = await page.invoke<{ id: string }>('connections:add', { name: `cluster ${i}`, url: lb.url, apiKey });
      targets.push({ cluster, lb, connectionId: id });
      say(`cluster ${i} up`);
    }
    await waitFor(async () => (await page.invoke<{ state: string }[]>('fleet:list')).every((h) => h.state === 'reachable'), {
      timeoutMs: 30_000,
      message: 'not every cluster became reachable',
    });

    say(`steady state: ${steadyMs / 1000} s`);
    const pid = manager.child.pid!;
    const requestsBefore = targets.map((t) => t.lb.requests());
    const cpuBefore = processCpuMs(pid);
    let rssPeak = rssOf(pid);
    const t0 = Date.now();
    while (Date.now() - t0 < steadyMs) {
      await sleep(1000);
      rssPeak = Math.max(rssPeak, rssOf(pid));
    }
    const minutes = (Date.now() - t0) / 60_000;
    const cpuPct = ((processCpuMs(pid) - cpuBefore) / (Date.now() - t0)) * 100;
    const perClusterPerMinute = targets.map((t, i) => (t.lb.requests() - requestsBefore[i]!) / minutes);

    say('kill -9 of one node in each of two clusters, one after the other');
    const deaths: { cluster: string; ms: number }[] = [];
    for (const t of targets.slice(0, 2)) {
      const stop = new AbortController();
      const killedAt = { ms: 0 };
      const notified = readEventStream(`${manager.url}/bridge/events`, { cookie: page.cookie }, (e) => {
        if (e.event !== 'notification') return;
        const n = JSON.parse(e.data) as { kind: string; connectionId: string };
        if (n.kind === 'node-offline' && n.connectionId === t.connectionId) {
          deaths.push({ cluster: t.connectionId, ms: Date.now() - killedAt.ms });
          stop.abort();
        }
      }, OFFLINE_THRESHOLD_MS + 60_000, stop.signal);
      await sleep(200); // the event stream is open
      killedAt.ms = Date.now();
      t.cluster.nodes[2]!.child.kill('SIGKILL');
      await notified;
    }

    const result = {
      when: new Date().toISOString(),
      machine: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadavg: os.loadavg() },
      clusters,
      nodesPerCluster: 3,
      intervalMs: INTERVAL_MS,
      steadySeconds: Math.round((minutes * 60) * 10) / 10,
      requestsPerClusterPerMinute: { min: Math.min(...perClusterPerMinute), max: Math.max(...perClusterPerMinute), mean: perClusterPerMinute.reduce((a, b) => a + b, 0) / clusters },
      managerCpuPercentOfOneCore: Math.round(cpuPct * 100) / 100,
      managerRssPeakMiB: Math.round((rssPeak / 1024 / 1024) * 10) / 10,
      killToNotificationMs: deaths.map((d) => d.ms),
      targetMs: TARGET_MS,
    };
    printTable(`Manager watching ${clusters} clusters × 3 nodes, one check per cluster every ${INTERVAL_MS / 1000} s`, [
      ['measure', 'value'],
      ['requests per cluster per minute (mean; min–max)', `${result.requestsPerClusterPerMinute.mean.toFixed(1)} (${result.requestsPerClusterPerMinute.min.toFixed(1)}–${result.requestsPerClusterPerMinute.max.toFixed(1)})`],
      ['manager CPU, % of one core', result.managerCpuPercentOfOneCore],
      ['manager RSS peak, MiB', result.managerRssPeakMiB],
      ...deaths.map((d, i) => [`kill -9 → notification #${i + 1}, ms (target ≤ ${TARGET_MS})`, `${d.ms} ${d.ms <= TARGET_MS ? 'pass' : 'MISS'}`]),
    ]);
    const file = writeJson(path.join(REPO_ROOT, 'bench-results'), 'manager.json', result);
    process.stdout.write(`\nWrote ${path.relative(process.cwd(), file) || file}\n`);
  } finally {
    clearTimeout(deadline);
    await teardown();
  }
}
