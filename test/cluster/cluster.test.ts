/**
 * A three-node cluster on PostgreSQL behind HAProxy (the example config), its storage a real
 * network share: sshd serves one folder and every node mounts it with sshfs in its own
 * mount namespace (default caching: attributes and listings cached for 20 s).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ShoalClient } from '../helpers/apiClient.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { maxOverlap } from '../helpers/concurrency.js';
import { freePort } from '../helpers/freePort.js';
import { startHaproxy, type Haproxy } from '../helpers/haproxy.js';
import { FINAL_STATES, getTask, queueScript, type Task } from '../helpers/tasks.js';
import { teardown } from '../helpers/teardown.js';
import { waitFor } from '../../server-core/src/testing/wait.js';
import { describeLags, followTasksLive } from '../helpers/shareLiveLogs.js';
import { sleep } from '../../server-core/src/testing/wait.js';
import { multipartUpload, PatternStream, sha256File } from '../storage/upload.js';
import { markedScript, overlapByNode, readRuns } from './marks.js';

const CAP = 2;

describe('HA cluster: three nodes on PostgreSQL behind HAProxy, storage on an sshfs share', { timeout: 420_000 }, () => {
  let cluster: Cluster;
  let lb: Haproxy;
  let client: ShoalClient;
  let marks: string;

  before(async () => {
    cluster = await startCluster(3, CAP, { share: {} });
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
    // Two seconds each: long enough for every node to hold two at once even when starts lag on a loaded machine.
    const ids = await queueMarked(40, 2);
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

  it('20 tasks, each followed live through HAProxy (mostly from another node): every line in order, then the end', async () => {
    const run = await followTasksLive(client, 20);
    process.stderr.write(describeLags('live logs across nodes on sshfs (default caching)', run));
    assert.ok(run.crossNode > 0, 'some followers were served by a node other than the one running the task');
  });

  it('of two concurrent uploads of one version to two nodes, one gets 201, the other 409, and the file on the share is whole', async () => {
    const [a, b] = [new PatternStream(24 * 1024 * 1024, 100), new PatternStream(24 * 1024 * 1024, 200)];
    const key = await apiKey();
    const [ra, rb] = await Promise.all([
      multipartUpload(`${cluster.nodes[0]!.url}/api/Spaces-1/packages/raw`, key, 'Dup.3.1.4.nupkg', a),
      multipartUpload(`${cluster.nodes[1]!.url}/api/Spaces-1/packages/raw`, key, 'Dup.3.1.4.nupkg', b),
    ]);
    const uploadLog = () => cluster.nodes.slice(0, 2).map((n) => n.output().split('\n').filter((l) => /package/i.test(l)).slice(-5).join('\n'));
    assert.deepEqual([ra.status, rb.status].sort(), [201, 409], `${JSON.stringify(ra.body)} ${JSON.stringify(rb.body)}\n${uploadLog().join('\n')}`);
    const winner = ra.status === 201 ? a : b;
    const expected = winner.hash.digest('hex');
    const onShare = path.join(cluster.share!.exportDir, 'shoal', 'packages', 'Spaces-1');
    assert.equal(await sha256File(path.join(onShare, 'Dup.3.1.4.nupkg')), expected);
    assert.deepEqual(fs.readdirSync(onShare).filter((f) => f.endsWith('.partial')), []);
    assert.match(cluster.nodes[0]!.output(), /publishing new files with a hard link/, 'the node said how it publishes');
  });

  it('a node whose share did not mount (it writes to the folder under the mount point) is flagged; the others are not', async () => {
    const stray = await cluster.startNode('node4', 0, { mount: false });
    try {
      const nodes = await waitFor(
        async () => {
          const list = await client.call<{ name: string; storage: { ok: boolean; problems: string[] } | null }[]>('GET', '/api/nodes');
          const four = list.find((n) => n.name === 'node4');
          return four?.storage && !four.storage.ok ? list : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 500, message: 'node4 to be flagged' },
      );
      const four = nodes.find((n) => n.name === 'node4')!;
      assert.match(four.storage!.problems.join('\n'), /taskLogs: .* is not the folder .*node1.* the share is probably not mounted on this node/);
      await sleep(6000); // a heartbeat more: the others must still be fine
      const after = await client.call<{ name: string; storage: { ok: boolean; problems: string[] } | null }[]>('GET', '/api/nodes');
      for (const n of after.filter((x) => x.name !== 'node4')) assert.deepEqual(n.storage?.problems, [], `${n.name} is not to blame`);
    } finally {
      await stray.stop();
      // What node4 wrote under the bare mount point (seen here, outside the namespaces), so later tests find it empty.
      fs.rmSync(path.join(cluster.share!.mountPoint, 'shoal'), { recursive: true, force: true });
    }
  });

  it('the share frozen for 30 s and then unmounted under load: no node exits, pings and heartbeats go on, the rest recovers', async () => {
    const share = cluster.share!;
    const busy = await queueMarked(6, 20);
    await waitFor(async () => (await getTaskList()).filter((t) => t.state === 'Executing').length >= 3, { message: 'load to start' });
    const seenBefore = await lastSeen();
    share.freeze(true);
    const pings: { node: string; ms: number; ok: boolean }[] = [];
    const enqueued: number[] = [];
    const queuedWhileFrozen: string[] = [];
    try {
      const frozenUntil = Date.now() + 30_000;
      while (Date.now() < frozenUntil) {
        await Promise.all([
          ...cluster.nodes.map(async (n) => {
            const t0 = performance.now();
            const ok = await fetch(`${n.url}/api/nodes/ping`, { signal: AbortSignal.timeout(5000) }).then((r) => r.status === 200, () => false);
            pings.push({ node: n.nodeName, ms: performance.now() - t0, ok });
          }),
          client.request('POST', '/api/tasks', { body: { kind: 'AdHocScript', arguments: { script: 'echo queued while frozen' } }, timeoutMs: 5000 }).then(
            (r) => {
              enqueued.push(r.status);
              if (r.status === 201) queuedWhileFrozen.push(r.body.id);
            },
            () => enqueued.push(0),
          ),
        ]);
        await sleep(2000);
      }
    } finally {
      share.freeze(false);
    }
    const seenDuring = await lastSeen();
    const slowest = Math.max(...pings.map((p) => p.ms));
    process.stderr.write(`share frozen 30 s: ${pings.filter((p) => p.ok).length}/${pings.length} pings answered (slowest ${slowest.toFixed(0)} ms), ${enqueued.filter((s) => s === 201).length}/${enqueued.length} enqueues answered 201\n`);
    assert.deepEqual(pings.filter((p) => !p.ok), [], 'every ping was answered while the share was frozen');
    assert.deepEqual(enqueued.filter((s) => s !== 201), [], 'every enqueue was answered while the share was frozen');
    for (const n of cluster.nodes) assert.ok(seenDuring.get(n.nodeName)! > seenBefore.get(n.nodeName)!, `${n.nodeName} kept beating`);

    // Everything queued meanwhile ends: tasks whose storage stalled fail with the reason.
    const busyDone = await waitAllFinal([...busy, ...queuedWhileFrozen], 180_000);
    for (const t of busyDone.filter((x) => x.state !== 'Success')) assert.match(t.errorMessage ?? '', /storage/, `${t.id}: ${t.errorMessage}`);

    // The share vanishes from node2 (unmounted): its storage folders are gone from under it.
    const ns2 = cluster.namespaces.get('node2')!;
    await ns2.unmount();
    let onNode2: Task[] = [];
    for (let round = 0; round < 5 && !onNode2.length; round++) {
      const ids = [];
      for (let i = 0; i < 6; i++) ids.push((await queueScript(client, 'echo hello')).id);
      const done = await waitAllFinal(ids);
      onNode2 = done.filter((t) => t.nodeName === 'node2');
      assert.deepEqual(done.filter((t) => t.nodeName !== 'node2' && t.state !== 'Success').map((t) => `${t.id} ${t.errorMessage}`), [], 'the other nodes work on');
    }
    assert.ok(onNode2.length, 'node2 took a task while its share was gone');
    for (const t of onNode2) assert.match(`${t.state} ${t.errorMessage}`, /^Failed .*storage failed at .*(task-logs|artifacts).*ENOENT/, t.id);
    await waitFor(async () => (await client.call('GET', '/api/nodes/node2')).storage?.ok === false, { timeoutMs: 20_000, message: 'node2 flagged' });
    await ns2.mount();

    // Everything recovers: every node sees the share again and new work succeeds everywhere.
    await waitFor(
      async () => {
        const all = await client.call<{ name: string; storage: { ok: boolean; problems: string[] } }[]>('GET', '/api/nodes');
        const list = all.filter((n) => cluster.nodes.some((c) => c.nodeName === n.name));
        if (list.every((n) => n.storage?.ok)) return true;
        throw new Error(JSON.stringify(list.map((n) => [n.name, n.storage?.problems])));
      },
      { timeoutMs: 30_000, intervalMs: 500, message: 'every node to see the share again' },
    );
    const run = await followTasksLive(client, 6, 5, 0.1);
    assert.equal(run.tasks, 6);
    for (const n of cluster.nodes) assert.equal(n.child.exitCode, null, `${n.nodeName} exited:\n${n.output()}`);
  });

  const lastSeen = async () =>
    new Map((await client.call<{ name: string; lastSeen: string }[]>('GET', '/api/nodes')).map((n) => [n.name, Date.parse(n.lastSeen)]));

  let key: string | undefined;
  const apiKey = async () => (key ??= (await client.call<{ apiKey: string }>('POST', '/api/users/me/apikeys', { name: 'uploads' }, 201)).apiKey);


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
