/** Access is decided on the matched route: declared on every route, whatever the spelling of the path. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { requireDeclaredAccess } from './auth.js';
import { dbSnapshot } from '../testing/dbSnapshot.js';
import { pathVariants } from '../testing/pathVariants.js';
import { rawRequest } from '../testing/rawHttp.js';
import { routesOf } from '../testing/routes.js';
import { removeTempDirs } from '../testing/tempDir.js';
import { startTestNode, type TestNode } from '../testing/testNode.js';

after(removeTempDirs);

describe('route access', () => {
  it('an app with a route that declares no access refuses to start', async () => {
    const app = Fastify();
    requireDeclaredAccess(app);
    app.get('/declared', { config: { access: 'read' } }, async () => 'ok');
    assert.throws(() => app.get('/api/forgotten', async () => 'oops'), /declares no access/);
    await app.close();
  });

  describe('on a running node', () => {
    let tn: TestNode;
    let port: number;
    before(async () => {
      tn = await startTestNode({ nodeName: 'access-node', taskCap: 0 });
      port = Number(new URL(tn.node.url).port);
      // Something to delete, cancel or read, so a request that got through would show.
      const task = await tn.request({ method: 'POST', url: '/api/tasks', payload: { kind: 'SystemIntegrityCheck' } });
      assert.equal(task.statusCode, 201, task.body);
    });
    after(() => tn.stop());

    it('every route declares its access, and only the pings, login, agent registration by token, the agent download and the portal files are anonymous', () => {
      const routes = routesOf(tn.node.app);
      assert.ok(routes.length >= 40, `found ${routes.length} routes`);
      const anonymous = routes.filter((r) => r.access === 'anonymous').map((r) => `${r.method} ${r.path}`).sort();
      // Registration by token carries its own credential: a one-time token, checked by the route.
      // The agent's download is an installer, fetched before the machine has a credential.
      const allowed = /^(GET|HEAD) \/api\/(nodes|octopusservernodes)\/ping$|^POST \/api\/users\/login$|^POST \/api\/:spaceId\/targets\/register$|^(GET|HEAD) \/api\/agent(\/download)?$|^(GET|HEAD) \/(\*)?$/;
      for (const a of anonymous) assert.match(a, allowed, `${a} is anonymous`);
    });

    it('no spelling of any protected route answers without credentials, and none changes anything', async () => {
      const before = await dbSnapshot(tn.node.shoal);
      const origin = `http://127.0.0.1:${port}`;
      let sent = 0;
      const fill = { name: 'access-node', spaceId: 'Spaces-1', id: 'ServerTasks-1', packageId: 'Pkg', version: '1.0.0', keyId: 'ApiKeys-1', sessionId: 'Sessions-x', '*': 'file.txt' };
      for (const r of routesOf(tn.node.app).filter((x) => x.access !== 'anonymous')) {
        const path = r.url(fill);
        for (const v of pathVariants(path, origin)) {
          const body = ['POST', 'PUT', 'PATCH'].includes(r.method) ? JSON.stringify({ paused: true, drain: true, taskCap: 0, username: 'mallory', password: 'mallory-pw-123456', isAdmin: true }) : undefined;
          const res = await rawRequest(port, { method: r.method, target: v.target, body, headers: body ? { 'content-type': 'application/json' } : {} });
          sent++;
          assert.ok([400, 401, 404].includes(res.status), `${r.method} ${v.target} (${v.what}, route ${r.path}) answered ${res.status}: ${res.body.slice(0, 200)}`);
          if (v.what === 'as written') assert.equal(res.status, 401, `${r.method} ${path}`);
        }
      }
      assert.ok(sent > 500, `sent ${sent} requests`);
      assert.deepEqual(await dbSnapshot(tn.node.shoal), before, 'the database (users, tasks, events, settings, nodes…) changed');
    });

    it('encoded spellings of a protected route reach that route: 401, not the portal', async () => {
      for (const target of ['/%61pi/users', '/ap%69/events', '/%61pi/tasks/ServerTasks-1/log', '/API/users', '/api/./users', '/api/x/../users', '//api/users', `http://127.0.0.1:${port}/api/users`]) {
        const res = await rawRequest(port, { method: 'GET', target });
        assert.equal(res.status, 401, `${target}: ${res.status} ${res.body.slice(0, 120)}`);
        assert.match(res.body, /"Unauthorized"/);
      }
    });
  });
});
