/**
 * Two nodes whose clocks are 5 minutes off (libfaketime), then every core saturated by
 * other work for two minutes: no healthy node is ever Offline, no task expires early,
 * every task runs once.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startShoalProcess } from '../helpers/shoalProcess.js';
import { taskLog } from '../helpers/tasks.js';
import { onTeardown, teardown, trackChild } from '../helpers/teardown.js';
import { assertAllAlive, assertNothingLostOrDoubled, queueSideEffects, sample, startFaultCluster, waitAllFinal, type FaultCluster } from './faultKit.js';

const FAKETIME = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1', '/usr/lib/faketime/libfaketimeMT.so.1'].find((f) => fs.existsSync(f));

describe('clock skew and a saturated machine', { timeout: 400_000, skip: FAKETIME ? false : 'libfaketime is not installed (apt-get install libfaketime)' }, () => {
  let c: FaultCluster;
  before(async () => {
    c = await startFaultCluster(1, 4);
    const env = { SHOAL_DATABASE_URL: c.databaseUrl, SHOAL_MASTER_KEY: c.masterKey, LD_PRELOAD: FAKETIME!, FAKETIME_DONT_RESET: '1' };
    for (const [name, skew] of [['ahead', '+5m'], ['behind', '-5m']] as const) {
      c.nodes.push(await startShoalProcess({ dataDir: path.join(c.dir, name), nodeName: name, taskCap: 4, env: { ...env, FAKETIME: skew } }));
    }
  });
  after(() => teardown());

  /** Queues short tasks through every node while watching the node list; returns what it saw. */
  async function watchUnderWork(ms: number) {
    const ids: string[] = [];
    const clients = c.nodes.map((n) => c.client.at(n.url));
    let i = 0;
    const offline = await sample(ms, 500, async () => {
      ids.push(...(await queueSideEffects(c, 1, 0.3, clients[i++ % clients.length])));
      const nodes = await c.client.get<{ name: string; status: string }[]>('/api/nodes');
      return nodes.filter((n) => n.status !== 'Running').map((n) => `${n.name} ${n.status}`);
    });
    return { ids, notRunning: offline.flat() };
  }

  it('±5 min skew on two nodes: no node marked Offline, no task expired early, every task once', async () => {
    const skewed = await c.client.get<{ name: string; lastSeen: string }[]>('/api/nodes');
    assert.deepEqual(skewed.map((n) => n.name).sort(), ['ahead', 'behind', 'node1']);
    const { ids, notRunning } = await watchUnderWork(20_000);
    assert.deepEqual(notRunning, []);
    const tasks = await waitAllFinal(c.client, ids, 60_000);
    assert.deepEqual(tasks.filter((t) => t.state !== 'Success').map((t) => `${t.id} ${t.state} ${t.errorMessage}`), []);
    assertNothingLostOrDoubled(tasks, c.marks);
    assert.ok(new Set(tasks.map((t) => t.nodeName)).size === 3, 'every node ran tasks');
    // Task logs are stamped with the cluster's clock, not the skewed node's.
    for (const name of ['ahead', 'behind']) {
      const t = tasks.find((x) => x.nodeName === name)!;
      const first = (await taskLog(c.client, t.id)).split('\n')[0]!;
      const stamped = Date.parse(first.split(' ')[0]!);
      assert.ok(Math.abs(stamped - Date.parse(t.startTime!)) < 5000, `${name} stamped ${first} for a task started at ${t.startTime}`);
    }
  });

  it('every core saturated for two minutes: 0 false Offlines', async () => {
    const hogs = Array.from({ length: os.availableParallelism() * 2 }, () => {
      const hog = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
      trackChild(hog);
      return hog;
    });
    onTeardown(() => hogs.forEach((h) => h.kill('SIGKILL')));
    try {
      const { ids, notRunning } = await watchUnderWork(120_000);
      assert.deepEqual(notRunning, [], 'a healthy node was reported Offline under load');
      for (const h of hogs) h.kill('SIGKILL');
      const tasks = await waitAllFinal(c.client, ids, 120_000);
      assert.deepEqual(tasks.filter((t) => t.state !== 'Success').map((t) => `${t.id} ${t.state} ${t.errorMessage}`), []);
      assertNothingLostOrDoubled(tasks, c.marks);
      assertAllAlive(c.nodes);
    } finally {
      for (const h of hogs) h.kill('SIGKILL');
    }
  });
});
