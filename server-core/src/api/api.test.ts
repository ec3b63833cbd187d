/** The HTTP API's contract: bad input, errors, ping, task listing, nodes, audit events. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KyselyPlugin, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { JSON_BODY_LIMIT } from '../app.js';
import { registerNode, markNodeStopped } from '../nodes/registry.js';
import { claimTasks } from '../queue/claim.js';
import { endTasksOfSilentNode } from '../queue/endTasksOfNode.js';
import { nodeIdentity } from '../config/nodeIdentity.js';
import { SHOAL_VERSION } from '../version.js';
import { removeTempDirs } from '../testing/tempDir.js';
import { routesOf } from '../testing/routes.js';
import { errorBody, startTestNode, type TestNode } from '../testing/testNode.js';
import { waitFor } from '../testing/wait.js';

after(removeTempDirs);

type Req = Parameters<TestNode['request']>[0];

describe('API input and errors', () => {
  let tn: TestNode;
  before(async () => {
    tn = await startTestNode({ nodeName: 'input-node', taskCap: 0 });
  });
  after(() => tn.stop());

  const expectError = async (req: Req, status: number, code: string, message?: RegExp) => {
    const res = await tn.request(req);
    const what = `${req.method} ${req.url} ${typeof req.payload === 'string' ? req.payload.slice(0, 60) : JSON.stringify(req.payload ?? '')}`;
    assert.equal(res.statusCode, status, `${what} → ${res.statusCode} ${res.body}`);
    assert.match(String(res.headers['content-type']), /application\/json/, what);
    const err = errorBody(res);
    assert.equal(err.code, code, `${what}: ${res.body}`);
    if (message) assert.match(err.message, message, what);
    return err;
  };

  const BODY_ROUTES: { method: 'POST' | 'PUT' | 'PATCH'; url: string; valid: object }[] = [
    { method: 'POST', url: '/api/tasks', valid: { kind: 'SystemIntegrityCheck' } },
    { method: 'PATCH', url: '/api/nodes/input-node', valid: { taskCap: 0 } },
    { method: 'POST', url: '/api/users', valid: { username: 'valid-user', password: 'long-enough-1' } },
    { method: 'POST', url: '/api/users/login', valid: { username: 'admin', password: 'x' } },
    { method: 'POST', url: '/api/users/me/apikeys', valid: { name: 'k' } },
    { method: 'PUT', url: '/api/configuration/queue', valid: { paused: false } },
  ];

  it('refuses an unknown field in any body, naming it', async () => {
    for (const r of BODY_ROUTES) {
      await expectError({ method: r.method, url: r.url, payload: { ...r.valid, surprise: 1 } }, 400, 'BadRequest', /surprise/);
    }
  });

  it('refuses invalid JSON, a body that is not an object, and a body over 1 MiB on every route with a body', async () => {
    const json = { 'content-type': 'application/json' };
    for (const r of BODY_ROUTES) {
      await expectError({ method: r.method, url: r.url, headers: json, payload: '{"kind": "Sys' }, 400, 'BadRequest', /JSON/);
      await expectError({ method: r.method, url: r.url, headers: json, payload: '[1, 2]' }, 400, 'BadRequest');
      const big = JSON.stringify({ ...r.valid, pad: 'x'.repeat(JSON_BODY_LIMIT) });
      await expectError({ method: r.method, url: r.url, headers: json, payload: big }, 413, 'PayloadTooLarge');
      await expectError({ method: r.method, url: r.url, headers: { 'content-type': 'text/plain' }, payload: 'hello' }, 400, 'BadRequest');
      await expectError({ method: r.method, url: r.url, headers: { 'content-type': 'application/xml' }, payload: '<a/>' }, 415, 'UnsupportedMediaType');
    }
  });

  it('every route that takes a body refuses invalid JSON and an oversized JSON body in the error shape', async () => {
    const routes = routesOf(tn.node.app).filter((r) => r.path.startsWith('/api/') && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method));
    assert.ok(routes.length >= BODY_ROUTES.length);
    const json = { 'content-type': 'application/json' };
    for (const r of routes) {
      const url = r.url({ name: 'input-node', spaceId: 'Spaces-1', id: 'ServerTasks-1' });
      await expectError({ method: r.method as 'POST', url, headers: json, payload: '{"broken": ' }, 400, 'BadRequest', /JSON/);
      await expectError({ method: r.method as 'POST', url, headers: json, payload: JSON.stringify({ pad: 'x'.repeat(JSON_BODY_LIMIT) }) }, 413, 'PayloadTooLarge');
    }
  });

  it('refuses wrong types and missing or out-of-range values, naming the field', async () => {
    const cases: [Req, RegExp][] = [
      [{ method: 'POST', url: '/api/tasks', payload: {} }, /kind/],
      [{ method: 'POST', url: '/api/tasks', payload: { kind: 5 } }, /kind/],
      [{ method: 'POST', url: '/api/tasks', payload: { kind: 'NoSuchKind' } }, /NoSuchKind/],
      [{ method: 'POST', url: '/api/tasks', payload: { kind: 'SystemIntegrityCheck', arguments: 'all' } }, /arguments/],
      [{ method: 'POST', url: '/api/tasks', payload: { kind: 'SystemIntegrityCheck', arguments: { deep: true } } }, /deep/],
      [{ method: 'POST', url: '/api/tasks', payload: { kind: 'AdHocScript', arguments: { script: 42 } } }, /script/],
      [{ method: 'POST', url: '/api/tasks', payload: { kind: 'AdHocScript', arguments: { script: 'x', syntax: 'cobol' } } }, /syntax/],
      [{ method: 'POST', url: '/api/tasks', payload: { kind: 'AdHocScript', arguments: { script: 'x', env: {} } } }, /env/],
      [{ method: 'POST', url: '/api/tasks', payload: { kind: 'SystemIntegrityCheck', concurrencyTag: 7 } }, /concurrencyTag/],
      [{ method: 'PATCH', url: '/api/nodes/input-node', payload: { taskCap: '3' } }, /taskCap/],
      [{ method: 'PATCH', url: '/api/nodes/input-node', payload: { taskCap: -1 } }, /taskCap/],
      [{ method: 'PATCH', url: '/api/nodes/input-node', payload: { taskCap: 1.5 } }, /taskCap/],
      [{ method: 'PATCH', url: '/api/nodes/input-node', payload: { drain: 'yes' } }, /drain/],
      [{ method: 'POST', url: '/api/users', payload: { username: 'shorty', password: 'short' } }, /password/],
      [{ method: 'POST', url: '/api/users', payload: { username: 'has space', password: 'long-enough-1' } }, /username/],
      [{ method: 'POST', url: '/api/users', payload: { username: 'x', password: 'long-enough-1', isAdmin: 'yes' } }, /isAdmin/],
      [{ method: 'POST', url: '/api/users/login', payload: { username: 'admin' } }, /password/],
      [{ method: 'POST', url: '/api/users/me/apikeys', payload: { name: 12 } }, /name/],
      [{ method: 'POST', url: '/api/users/me/apikeys', payload: {} }, /name/],
      [{ method: 'PUT', url: '/api/configuration/queue', payload: { paused: 'true' } }, /paused/],
      [{ method: 'GET', url: '/api/tasks?take=abc' }, /take/],
      [{ method: 'GET', url: '/api/tasks?take=0' }, /take/],
      [{ method: 'GET', url: '/api/tasks?take=501' }, /take/],
      [{ method: 'GET', url: '/api/tasks?skip=-1' }, /skip/],
      [{ method: 'GET', url: '/api/tasks?colour=blue' }, /colour/],
      [{ method: 'GET', url: '/api/tasks?state=Running' }, /Running/],
      [{ method: 'GET', url: '/api/tasks?state=Queued,Sleeping' }, /Sleeping/],
      [{ method: 'GET', url: '/api/events?take=many' }, /take/],
      [{ method: 'GET', url: '/api/events?colour=blue' }, /colour/],
      [{ method: 'DELETE', url: '/api/users/me/apikeys/not-a-key' }, /id/],
    ];
    for (const [req, message] of cases) await expectError(req, 400, 'BadRequest', message);
    const tasks = await tn.request({ method: 'GET', url: '/api/tasks' });
    assert.equal(tasks.json().total, 0, 'no bad request queued anything');
  });

  it('answers 404 for unknown tasks, nodes, keys and routes', async () => {
    for (const url of ['/api/tasks/ServerTasks-987654', '/api/tasks/987654', '/api/tasks/not-a-task', '/api/tasks/ServerTasks-0', '/api/tasks/ServerTasks-987654/log']) {
      await expectError({ method: 'GET', url }, 404, 'NotFound');
    }
    await expectError({ method: 'POST', url: '/api/tasks/ServerTasks-987654/cancel' }, 404, 'NotFound', /ServerTasks-987654/);
    for (const req of [
      { method: 'GET', url: '/api/nodes/nowhere' },
      { method: 'GET', url: '/api/nodes/nowhere/tasks' },
      { method: 'PATCH', url: '/api/nodes/nowhere', payload: { taskCap: 1 } },
      { method: 'DELETE', url: '/api/nodes/nowhere' },
    ] as Req[]) {
      await expectError(req, 404, 'NotFound', /nowhere/);
    }
    await expectError({ method: 'DELETE', url: '/api/users/me/apikeys/ApiKeys-98765' }, 404, 'NotFound');
    await expectError({ method: 'GET', url: '/api/no-such-thing' }, 404, 'NotFound');
    await expectError({ method: 'PUT', url: '/api/tasks' }, 404, 'NotFound');
  });

  it('hides unexpected errors behind the same shape, with no internals or stack trace', async () => {
    const shoal = tn.node.shoal as { db: typeof tn.node.shoal.db };
    const original = shoal.db;
    shoal.db = original.withPlugin(failing((n) => tableOf(n) === 'events', () => new Error('boom in /srv/shoal/secret.ts:12 SELECT * FROM events')));
    try {
      const err = await expectError({ method: 'GET', url: '/api/events' }, 500, 'InternalError');
      assert.doesNotMatch(err.message, /boom|secret|SELECT/);
    } finally {
      shoal.db = original;
    }
    assert.equal((await tn.request({ method: 'GET', url: '/api/events' })).statusCode, 200);
  });
});

/** The table a select reads (for the spies below). */
const tableOf = (node: RootOperationNode): string | undefined =>
  node.kind === 'SelectQueryNode' ? /"kind":"IdentifierNode","name":"([^"]+)"/.exec(JSON.stringify(node.from))?.[1] : undefined;

/** A plugin that makes matching queries fail the way a broken database would. */
function failing(match: (node: RootOperationNode) => boolean, error: () => Error): KyselyPlugin {
  return {
    transformQuery: ({ node }) => {
      if (match(node)) throw error();
      return node;
    },
    transformResult: async ({ result }) => result,
  };
}

describe('ping', () => {
  it('answers 200, 418 while draining, and reads the database at most once a second under load', async () => {
    const tn = await startTestNode({ nodeName: 'ping-node' });
    try {
      for (const url of ['/api/nodes/ping', '/api/octopusservernodes/ping']) {
        const res = await tn.request({ method: 'GET', url, anonymous: true });
        assert.equal(res.statusCode, 200, res.body);
        const body = res.json();
        assert.equal(body.name, 'ping-node');
        assert.equal(body.version, SHOAL_VERSION);
        assert.equal(body.drain, false);
        assert.equal(res.headers['cache-control'], 'no-store');
      }
      const drain = async (on: boolean) => {
        const res = await tn.request({ method: 'PATCH', url: '/api/nodes/ping-node', payload: { drain: on } });
        assert.equal(res.statusCode, 200, res.body);
      };
      await drain(true);
      for (const url of ['/api/nodes/ping', '/api/octopusservernodes/ping']) {
        const res = await tn.request({ method: 'GET', url, anonymous: true });
        assert.equal(res.statusCode, 418, res.body);
        assert.equal(res.json().drain, true);
      }
      await drain(false);
      assert.equal((await tn.request({ method: 'GET', url: '/api/nodes/ping', anonymous: true })).statusCode, 200);

      // Count reads of the nodes table through a spy on the node's own ShoalDb (the heartbeat writes it).
      let reads = 0;
      const counter: KyselyPlugin = {
        transformQuery: ({ node }: { node: RootOperationNode }) => {
          if (node.kind === 'SelectQueryNode' && tableOf(node) === 'nodes') reads++;
          return node;
        },
        transformResult: async ({ result }: { result: QueryResult<UnknownRow> }) => result,
      };
      const shoal = tn.node.shoal as { db: typeof tn.node.shoal.db };
      const original = shoal.db;
      shoal.db = original.withPlugin(counter);
      try {
        await drain(false); // invalidates the cached answer, so the burst must read once
        reads = 0;
        const started = Date.now();
        const burst = await Promise.all(Array.from({ length: 100 }, () => tn.node.app.inject({ method: 'GET', url: '/api/nodes/ping' })));
        for (let i = 0; i < 100; i++) burst.push(await tn.node.app.inject({ method: 'GET', url: '/api/octopusservernodes/ping' }));
        const elapsed = Date.now() - started;
        assert.ok(burst.every((r) => r.statusCode === 200), 'every ping answered 200');
        assert.ok(reads >= 1, 'the spy sees the ping read the database');
        assert.ok(reads <= 1 + Math.floor(elapsed / 1000), `${reads} database reads for 200 pings in ${elapsed} ms`);
      } finally {
        shoal.db = original;
      }
    } finally {
      await tn.stop();
    }
  });

  it('answers 503 while the database cannot be reached, and 200 again once it can', async () => {
    const tn = await startTestNode({ nodeName: 'lonely-node' });
    const shoal = tn.node.shoal as { db: typeof tn.node.shoal.db };
    const original = shoal.db;
    try {
      // A disk that fails every read, as SQLite reports it.
      shoal.db = original.withPlugin(failing(() => true, () => Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' })));
      const res = await waitFor(async () => {
        const r = await tn.node.app.inject({ method: 'GET', url: '/api/nodes/ping' });
        return r.statusCode === 503 ? r : undefined;
      }, 'ping to notice the database is gone', { timeoutMs: 5000 });
      const body = res.json();
      assert.equal(body.name, 'lonely-node');
      assert.equal(body.database, 'unreachable');
      assert.ok(!/ at |disk I\/O/.test(JSON.stringify(body)), 'no internals in the body');
      assert.equal((await tn.node.app.inject({ method: 'GET', url: '/api/octopusservernodes/ping' })).statusCode, 503);
      const api = await tn.request({ method: 'GET', url: '/api/nodes' });
      assert.equal(api.statusCode, 503, api.body);
      assert.equal(errorBody(api).code, 'DatabaseUnavailable');

      shoal.db = original;
      await waitFor(async () => (await tn.node.app.inject({ method: 'GET', url: '/api/nodes/ping' })).statusCode === 200, 'ping to recover');

      // A closed handle is unreachable too.
      await original.destroy();
      await waitFor(async () => (await tn.node.app.inject({ method: 'GET', url: '/api/nodes/ping' })).statusCode === 503, 'ping to notice the closed handle');
    } finally {
      shoal.db = original;
      await tn.stop();
    }
  });
});

describe('tasks, nodes and events', () => {
  let tn: TestNode;
  before(async () => {
    tn = await startTestNode({ nodeName: 'list-node', taskCap: 0 });
  });
  after(() => tn.stop());

  const get = async (url: string) => {
    const res = await tn.request({ method: 'GET', url });
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
    return res.json();
  };

  it('pages tasks newest first with the total, and filters by state', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await tn.request({ method: 'POST', url: '/api/tasks', payload: { kind: 'SystemIntegrityCheck', description: `check ${i}` } });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.json().state, 'Queued', 'a node with cap 0 leaves it queued');
      ids.push(res.json().id);
    }
    for (const id of [ids[1], ids[4]]) {
      const res = await tn.request({ method: 'POST', url: `/api/tasks/${id}/cancel` });
      assert.equal(res.json().state, 'Canceled');
    }
    const newestFirst = [...ids].reverse();
    const page = async (q: string) => {
      const body = await get(`/api/tasks?${q}`);
      return { ids: body.items.map((t: { id: string }) => t.id), total: body.total };
    };
    assert.deepEqual(await page('take=3'), { ids: newestFirst.slice(0, 3), total: 7 });
    assert.deepEqual(await page('take=3&skip=3'), { ids: newestFirst.slice(3, 6), total: 7 });
    assert.deepEqual(await page('take=3&skip=6'), { ids: newestFirst.slice(6), total: 7 });
    assert.deepEqual(await page('take=3&skip=9'), { ids: [], total: 7 });
    assert.deepEqual(await page('state=Canceled'), { ids: [ids[4], ids[1]], total: 2 });
    assert.deepEqual(await page('state=Queued&take=2'), { ids: [ids[6], ids[5]], total: 5 });
    assert.deepEqual(await page('state=Queued,Canceled'), { ids: newestFirst, total: 7 });
    assert.deepEqual(await page('state=Success'), { ids: [], total: 0 });

    const one = await get(`/api/tasks/${ids[0]}`);
    assert.equal(one.description, 'check 0');
    assert.equal(one.kind, 'SystemIntegrityCheck');
    assert.equal(one.createdBy, 'admin');
    assert.ok(!Number.isNaN(Date.parse(one.queueTime)));
    assert.equal(one.startTime, null);
  });

  it('lists nodes with their status fields, and deletes only offline ones', async () => {
    const nodes = await get('/api/nodes');
    const self = nodes.find((n: { name: string }) => n.name === 'list-node');
    for (const field of ['name', 'status', 'lastSeen', 'taskCap', 'runningTasks', 'drain', 'version', 'url']) assert.ok(field in self, `nodes list ${field}`);
    assert.equal(self.status, 'Running');
    assert.equal(self.taskCap, 0);
    assert.equal(self.version, SHOAL_VERSION);
    assert.equal(self.url, tn.node.url);
    assert.deepEqual(await get('/api/nodes/list-node/tasks'), []);

    const running = await tn.request({ method: 'DELETE', url: '/api/nodes/list-node' });
    assert.equal(running.statusCode, 409, running.body);
    assert.equal(errorBody(running).code, 'Conflict');

    await registerNode(tn.node.shoal, { name: 'retired', nodeId: 'retired', version: SHOAL_VERSION, url: 'http://retired:8050', taskCap: 1 });
    await markNodeStopped(tn.node.shoal, 'retired', 'retired');
    assert.equal((await get('/api/nodes/retired')).status, 'Offline');
    const del = await tn.request({ method: 'DELETE', url: '/api/nodes/retired' });
    assert.equal(del.statusCode, 204, del.body);
    assert.equal((await tn.request({ method: 'GET', url: '/api/nodes/retired' })).statusCode, 404);
  });

  it('pauses and resumes the queue for the cluster', async () => {
    const paused = await tn.request({ method: 'PUT', url: '/api/configuration/queue', payload: { paused: true } });
    assert.deepEqual(paused.json(), { paused: true });
    assert.deepEqual(await get('/api/configuration/queue'), { paused: true });
    await tn.request({ method: 'PATCH', url: '/api/nodes/list-node', payload: { taskCap: 5 } });
    // While paused not even this node's own claim finds work.
    assert.deepEqual(await claimTasks(tn.node.shoal, { nodeName: 'list-node', nodeId: nodeIdentity(tn.dataDir), token: 'probe' }), []);
    const resumed = await tn.request({ method: 'PUT', url: '/api/configuration/queue', payload: { paused: false } });
    assert.deepEqual(resumed.json(), { paused: false });
    await waitFor(async () => (await get('/api/tasks?state=Queued')).total === 0, 'the queued checks to run once resumed');
    await tn.request({ method: 'PATCH', url: '/api/nodes/list-node', payload: { taskCap: 0 } });
  });

  it('summarises the cluster in one answer: nodes, version, queued and running tasks, pause', async () => {
    await waitFor(async () => (await get('/api/tasks?state=Executing,Cancelling')).total === 0, 'the earlier checks to end');
    await registerNode(tn.node.shoal, { name: 'summary-worker', nodeId: 'summary-worker', version: SHOAL_VERSION, url: 'http://summary-worker:8050', taskCap: 1 });
    for (let i = 0; i < 3; i++) await tn.request({ method: 'POST', url: '/api/tasks', payload: { kind: 'SystemIntegrityCheck' } });
    const claimed = await claimTasks(tn.node.shoal, { nodeName: 'summary-worker', nodeId: 'summary-worker', token: 'summary-probe' });
    assert.equal(claimed.length, 1);
    await tn.request({ method: 'PUT', url: '/api/configuration/queue', payload: { paused: true } });
    const summary = await get('/api/cluster');
    assert.deepEqual(summary.queue, { queued: 2, running: 1, paused: true });
    assert.equal(summary.version, SHOAL_VERSION);
    assert.deepEqual(summary.nodes, await get('/api/nodes'));
    await tn.request({ method: 'PUT', url: '/api/configuration/queue', payload: { paused: false } });
    assert.equal((await get('/api/cluster')).queue.paused, false);
    await markNodeStopped(tn.node.shoal, 'summary-worker', 'summary-worker');
    await endTasksOfSilentNode(tn.node.shoal, 'summary-worker', 'the test ends it');
    for (const t of (await get('/api/tasks?state=Queued')).items) await tn.request({ method: 'POST', url: `/api/tasks/${t.id}/cancel` });
    assert.deepEqual((await get('/api/cluster')).queue, { queued: 0, running: 0, paused: false });
  });

  it('records who changed what, from which address, in the audit events', async () => {
    const from = { remoteAddress: '10.9.8.7', headers: { 'x-forwarded-for': '1.2.3.4' } } as const;
    assert.equal((await tn.request({ method: 'PATCH', url: '/api/nodes/list-node', payload: { drain: true }, ...from, headers: { ...from.headers } })).statusCode, 200);
    await tn.request({ method: 'PATCH', url: '/api/nodes/list-node', payload: { drain: false }, ...from, headers: { ...from.headers } });
    const created = await tn.request({ method: 'POST', url: '/api/tasks', payload: { kind: 'SystemIntegrityCheck' }, ...from, headers: { ...from.headers } });
    const taskId = created.json().id;
    await tn.request({ method: 'POST', url: `/api/tasks/${taskId}/cancel`, ...from, headers: { ...from.headers } });
    await tn.request({ method: 'POST', url: '/api/users', payload: { username: 'carol', password: 'carol-password-1' }, ...from, headers: { ...from.headers } });
    await tn.request({ method: 'POST', url: '/api/users/login', payload: { username: 'carol', password: 'wrong-password' }, anonymous: true, ...from, headers: { ...from.headers } });

    const events = await get('/api/events?take=50');
    assert.equal(typeof events.total, 'number');
    assert.ok(events.total >= 5);
    type Ev = { action: string; username: string | null; target: string | null; clientIp: string | null; occurred: string; details: unknown };
    const find = (action: string, target?: string) =>
      (events.items as Ev[]).find((e) => e.action === action && (target === undefined || e.target === target));
    const expectations: [string, string | undefined, string][] = [
      ['node.update', 'list-node', 'admin'],
      ['task.create', taskId, 'admin'],
      ['task.cancel', taskId, 'admin'],
      ['user.create', 'carol', 'admin'],
      ['user.login-failed', undefined, 'carol'],
    ];
    for (const [action, target, username] of expectations) {
      const e = find(action, target);
      assert.ok(e, `${action} ${target ?? ''} recorded in ${JSON.stringify(events.items.map((x: Ev) => x.action))}`);
      assert.equal(e.username, username, action);
      assert.equal(e.clientIp, '10.9.8.7', `${action}: the peer address, not a forged X-Forwarded-For`);
      assert.ok(!Number.isNaN(Date.parse(e.occurred)));
    }
    assert.deepEqual(find('node.update', 'list-node')!.details, { drain: false }, 'newest first: the last change is listed first');
    const paged = await get('/api/events?take=2&skip=1');
    assert.equal(paged.items.length, 2);
    assert.equal(paged.total, events.total);
    assert.deepEqual(paged.items[0], events.items[1]);
  });
});
