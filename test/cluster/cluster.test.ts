import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ShoalClient } from '../helpers/apiClient.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { maxOverlap } from '../helpers/concurrency.js';
import { freePort } from '../helpers/freePort.js';
import { startHaproxy, type Haproxy } from '../helpers/haproxy.js';
import { FINAL_STATES, getTask, queueScript, type Task } from '../helpers/tasks.js';
import { teardown } from '../helpers/teardown.js';
import { waitFor } from '../helpers/waitFor.js';
import { markedScript, overlapByNode, readRuns } from './marks.js';

const CAP = 2;

describe('HA cluster: three nodes on PostgreSQL behind HAProxy', { timeout: 300_000 }, () => {
  let cluster: Cluster;
  let lb: Haproxy;
  let client: ShoalClient;
  let marks: string;

  before(async () => {
    cluster = await startCluster(3, CAP);
    lb = await startHaproxy(cluster.dir, await freePort(), cluster.nodes.map((n) => ({ name: n.nodeName, port: n.port })));
    client = await ShoalClient.login(lb.url, 'admin', cluster.nodes[0]!.adminPassword);
    marks = path.join(cluster.dir, 'marks.log');
  });
  after(() => teardown());

  /** Which node answered each of `n` requests through the load balancer. */
  const answeringNodes = async (n: number) => {
    const seen: string[] = [];
    for (let i = 0; i < n; i++) {
      const res = await client.request('GET', '/api/nodes');
      assert.equal(res.status, 200, res.text);
      seen.push(res.headers.get('x-shoal-node') ?? '?');
    }
    return seen;
  };

  const waitAllFinal = (ids: string[], timeoutMs = 90_000) =>
    waitFor(
      async () => {
        const tasks = await Promise.all(ids.map((id) => getTask(client, id)));
        return tasks.every((t) => FINAL_STATES.includes(t.state)) ? tasks : undefined;
      },
      { timeoutMs, intervalMs: 250, message: 'tasks did not all finish' },
    );

  const queueMarked = async (count: number, seconds: number) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push((await queueScript(client, markedScript(marks, seconds))).id);
    return ids;
  };

  it('a session made through the load balancer works on every node', async () => {
    const seen = new Set(await answeringNodes(12));
    assert.deepEqual([...seen].sort(), ['node1', 'node2', 'node3']);
  });

  it('runs 40 scripts with total concurrency 6, at most 2 per node, each exactly once', async () => {
    const ids = await queueMarked(40, 0.6);
    const tasks = await waitAllFinal(ids);
    assert.deepEqual(tasks.filter((t) => t.state !== 'Success').map((t) => `${t.id} ${t.state} ${t.errorMessage}`), []);
    const { starts, runs } = readRuns(marks);
    for (const id of ids) assert.equal(starts.get(id), 1, `${id} started ${starts.get(id) ?? 0} times`);
    assert.equal(maxOverlap(runs.filter((r) => ids.includes(r.task))), 3 * CAP, 'total concurrency should reach 6');
    for (const [node, most] of overlapByNode(runs)) assert.ok(most <= CAP, `${node} ran ${most} tasks at once`);
    assert.equal(new Set(tasks.map((t) => t.nodeName)).size, 3, 'every node took tasks');
  });

  it('a drained node leaves the load balancer, finishes its tasks and starts no new ones', async () => {
    const ids = await queueMarked(12, 1.5);
    await waitFor(async () => (await getTaskList()).some((t) => t.nodeName === 'node1' && t.state === 'Executing'), {
      message: 'node1 never ran a task',
    });
    await client.call('PATCH', '/api/nodes/node1', { drain: true });
    const drainedAt = Date.now();
    // The PATCH may land on any node; node1's ping (read from the database at most once a second) follows within a second.
    await waitFor(async () => (await fetch(`${cluster.nodes[0]!.url}/api/nodes/ping`)).status === 418, {
      timeoutMs: 2000,
      intervalMs: 50,
      message: 'node1 ping did not turn 418 within a second of the drain',
    });
    // HAProxy checks every second and takes a node out after two failed checks.
    await waitFor(async () => !(await answeringNodes(6)).includes('node1'), { timeoutMs: 10_000, message: 'HAProxy still routes to node1' });
    const tasks = await waitAllFinal(ids);
    assert.deepEqual(tasks.filter((t) => t.state !== 'Success').map((t) => t.id), []);
    const { runs } = readRuns(marks);
    const lateOnNode1 = runs.filter((r) => ids.includes(r.task) && r.node === 'node1' && r.start > drainedAt + 200);
    assert.deepEqual(lateOnNode1, [], 'node1 started tasks after it was drained');
    const node1 = await client.call('GET', '/api/nodes/node1');
    assert.equal(node1.status, 'Drained');
    await client.call('PATCH', '/api/nodes/node1', { drain: false });
    await waitFor(async () => (await answeringNodes(6)).includes('node1'), { timeoutMs: 10_000, message: 'node1 did not come back into rotation' });
  });

  it('carries on through a PostgreSQL restart under load: no crash, nothing run twice', async () => {
    const ids = await queueMarked(12, 0.5);
    await waitFor(async () => (await getTaskList()).some((t) => t.state === 'Executing'), { message: 'nothing started' });
    await cluster.pg.restart();
    const tasks = await waitAllFinal(ids);
    assert.deepEqual(tasks.filter((t) => t.state !== 'Success').map((t) => `${t.id} ${t.state} ${t.errorMessage}`), []);
    const { starts } = readRuns(marks);
    for (const id of ids) assert.equal(starts.get(id), 1, `${id} started ${starts.get(id) ?? 0} times`);
    for (const n of cluster.nodes) assert.equal(n.child.exitCode, null, `${n.nodeName} exited:\n${n.output()}`);
    const nodes = await client.call<{ name: string; status: string }[]>('GET', '/api/nodes');
    assert.deepEqual(nodes.map((n) => n.status), ['Running', 'Running', 'Running']);
  });

  it('an API key revoked on one node is refused by another within 2 s', async () => {
    const nodeA = client.at(cluster.nodes[0]!.url);
    const created = await nodeA.call<{ id: string; apiKey: string }>('POST', '/api/users/me/apikeys', { name: 'cache-test' }, 201);
    const onB = new ShoalClient(cluster.nodes[1]!.url, { apiKey: created.apiKey });
    assert.equal((await onB.request('GET', '/api/nodes')).status, 200);
    await nodeA.call('DELETE', `/api/users/me/apikeys/${created.id}`, undefined, 204);
    await waitFor(async () => (await onB.request('GET', '/api/nodes')).status === 401, {
      timeoutMs: 2000,
      intervalMs: 50,
      message: 'node2 still accepts the revoked key',
    });
  });

  it('a user disabled through one node can use neither their session nor their API key on the others within 2 s', async () => {
    const nodeA = client.at(cluster.nodes[0]!.url);
    const viewers = (await nodeA.get<{ id: string; name: string }[]>('/api/teams')).find((t) => t.name === 'Viewers')!;
    const user = await nodeA.call<{ id: string }>('POST', '/api/users', { username: 'leaver', password: 'leaver-password-12', teamIds: [viewers.id] }, 201);
    const session = await ShoalClient.login(cluster.nodes[2]!.url, 'leaver', 'leaver-password-12');
    const { apiKey } = await session.call<{ apiKey: string }>('POST', '/api/users/me/apikeys', { name: 'leaver-key' }, 201);
    const byKey = new ShoalClient(cluster.nodes[1]!.url, { apiKey });
    assert.equal((await session.request('GET', '/api/nodes')).status, 200);
    assert.equal((await byKey.request('GET', '/api/nodes')).status, 200);
    await nodeA.patch(`/api/users/${user.id}`, { disabled: true });
    await waitFor(async () => (await session.request('GET', '/api/nodes')).status === 401 && (await byKey.request('GET', '/api/nodes')).status === 401, {
      timeoutMs: 2000,
      intervalMs: 50,
      message: 'the disabled user still works on another node',
    });
  });

  it('a node killed with SIGKILL goes Offline within 20 s; its tasks fail with the reason and the rest finish', async () => {
    const ids = await queueMarked(10, 3);
    const victim = cluster.nodes[1]!;
    const onVictim = await waitFor(
      async () => {
        const running = (await getTaskList()).filter((t) => t.nodeName === victim.nodeName && t.state === 'Executing');
        return running.length ? running : undefined;
      },
      { message: `${victim.nodeName} never ran a task` },
    );
    victim.child.kill('SIGKILL');
    await waitFor(async () => (await client.call('GET', `/api/nodes/${victim.nodeName}`)).status === 'Offline', {
      timeoutMs: 20_000,
      intervalMs: 250,
      message: `${victim.nodeName} was not Offline within 20 s`,
    });
    const tasks = await waitAllFinal(ids);
    for (const t of onVictim) {
      const after = tasks.find((x) => x.id === t.id)!;
      assert.equal(after.state, 'Failed', `${t.id} was on the killed node`);
      assert.match(after.errorMessage ?? '', new RegExp(`${victim.nodeName}.*last seen`), after.errorMessage ?? '');
    }
    const others = tasks.filter((t) => !onVictim.some((v) => v.id === t.id));
    assert.deepEqual(others.filter((t) => t.state !== 'Success').map((t) => `${t.id} ${t.state} ${t.errorMessage}`), []);
    assert.ok(others.every((t) => t.nodeName !== victim.nodeName));
    const { starts } = readRuns(marks);
    for (const id of ids) assert.equal(starts.get(id), 1, `${id} started ${starts.get(id) ?? 0} times`);
  });

  async function getTaskList(): Promise<Task[]> {
    return (await client.call<{ items: Task[] }>('GET', '/api/tasks?take=100')).items;
  }
});
