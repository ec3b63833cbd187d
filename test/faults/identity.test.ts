/**
 * One process per node name and data dir, a node whose row was deleted, and operator
 * settings that outlive a restart, on a real cluster with real processes.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OFFLINE_AFTER_MS } from '../../server-core/src/queue/leaseTimings.js';
import { runShoalCli } from '../helpers/cli.js';
import { startShoalProcess } from '../helpers/shoalProcess.js';
import { teardown } from '../helpers/teardown.js';
import { sleep, waitFor } from '../helpers/waitFor.js';
import { pingStatus, startFaultCluster, type FaultCluster } from './faultKit.js';

describe('node identity, deleted rows and persistent settings', { timeout: 300_000 }, () => {
  let c: FaultCluster;
  let env: Record<string, string>;
  before(async () => {
    c = await startFaultCluster(2, 2);
    env = { SHOAL_DATABASE_URL: c.databaseUrl, SHOAL_MASTER_KEY: c.masterKey };
  });
  after(() => teardown());

  const run = (dataDir: string, nodeName: string, extra: string[] = []) =>
    runShoalCli(['run', '--data-dir', dataDir, '--node-name', nodeName, '--port', '0', ...extra], env, 20_000);

  it('a second shoal run on the same data dir is refused at once, naming the running process; other commands still work', async () => {
    const node1 = c.nodes[0]!;
    const r = await run(node1.dataDir, 'node1');
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`data dir ${node1.dataDir} is in use by shoal run \\(node node1\\) \\(pid ${node1.pid},`));
    assert.doesNotMatch(r.stdout, /running at/);
    const key = await runShoalCli(['api-key', 'create', '--name', 'while-running', '--data-dir', node1.dataDir], env);
    assert.equal(key.code, 0, key.stderr);
  });

  it('a node name held by a live node of another data dir is refused with its URL and last-seen time; the twin is not disturbed', async () => {
    const node1 = c.nodes[0]!;
    const r = await run(path.join(c.dir, 'impostor'), 'node1');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`node name node1 is in use by another running node \\(${node1.url.replace(/[.]/g, '\\.')}, last seen \\d{4}-`));
    const n = await c.client.get('/api/nodes/node1');
    assert.equal(n.url, node1.url, 'the list still shows the live node\'s URL');
    assert.equal(n.status, 'Running');
    assert.ok(n.storage.ok, 'no storage warning for the twin');
  });

  it('the same node restarting after SIGTERM or kill -9 starts at once; its task cap and drain set by an operator survive, --task-cap overrides them', async () => {
    let node2 = c.nodes[1]!;
    await c.client.patch('/api/nodes/node2', { taskCap: 7 });
    await node2.stop('SIGKILL');
    node2 = await c.startNode('node2', 2); // --task-cap 2: an explicit override
    assert.match(node2.output(), /--task-cap 2 overrides the task cap the cluster had for node2/);
    assert.equal((await c.client.get('/api/nodes/node2')).taskCap, 2);
    await c.client.patch('/api/nodes/node2', { taskCap: 7, drain: true });
    await node2.stop('SIGTERM');
    node2 = await startShoalProcess({ dataDir: node2.dataDir, nodeName: 'node2', env }); // no --task-cap
    c.nodes[1] = node2;
    const n = await c.client.get('/api/nodes/node2');
    assert.deepEqual([n.taskCap, n.drain], [7, true]);
    await c.client.patch('/api/nodes/node2', { drain: false });
  });

  it('a node deleted while Offline that comes back takes no tasks, answers ping 503 with the reason, and a restart registers it again', async () => {
    const node2 = c.nodes[1]!;
    assert.equal((await c.client.request('DELETE', '/api/nodes/node2')).status, 409, 'a live node is not deleted');
    node2.child.kill('SIGSTOP');
    try {
      await sleep(OFFLINE_AFTER_MS + 1500);
      assert.equal((await c.client.request('DELETE', '/api/nodes/node2')).status, 204);
    } finally {
      node2.child.kill('SIGCONT');
    }
    await waitFor(async () => (await pingStatus(node2.url)) === 503, { timeoutMs: 10_000, message: 'the deleted node still answers its ping with 200' });
    const ping = await (await fetch(`${node2.url}/api/nodes/ping`)).json();
    assert.equal(ping.lease, 'removed');
    assert.match(ping.error, /not registered in the cluster.*restart it/);
    assert.match(node2.output(), /no longer registered in the cluster.*Restart it to register it again/);
    assert.equal((await c.client.request('GET', '/api/nodes/node2')).status, 404, 'it does not come back by itself');
    await node2.stop('SIGTERM');
    c.nodes[1] = await startShoalProcess({ dataDir: node2.dataDir, nodeName: 'node2', env });
    assert.equal((await c.client.get('/api/nodes/node2')).status, 'Running');
    assert.equal(await pingStatus(c.nodes[1]!.url), 200);
  });
});
