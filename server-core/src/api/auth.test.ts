/** Who may call what: every API route, API keys, sessions, roles, revocation. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { listApiKeys, reuseOrReplaceNamedKey } from '../auth/apiKeys.js';
import { routesOf } from '../testing/routes.js';
import { removeTempDirs } from '../testing/tempDir.js';
import { ADMIN_PASSWORD, errorBody, startTestNode, type TestNode } from '../testing/testNode.js';

after(removeTempDirs);

// An agent's registration by one-time token (POST /api/:spaceId/targets/register) is declared anonymous, but the
// token is its credential: without a valid one it answers 401 like every other route (checked below with the rest).
// The agent's download is an installer: a machine fetches it before it has any credential.
const AGENT_DOWNLOAD = ['GET /api/agent', 'HEAD /api/agent', 'GET /api/agent/download', 'HEAD /api/agent/download'];
const ANONYMOUS = new Set(['GET /api/nodes/ping', 'HEAD /api/nodes/ping', 'GET /api/octopusservernodes/ping', 'HEAD /api/octopusservernodes/ping', 'POST /api/users/login', ...AGENT_DOWNLOAD]);

describe('API authentication', () => {
  let tn: TestNode;
  before(async () => {
    tn = await startTestNode({ nodeName: 'auth-node', taskCap: 0 });
  });
  after(() => tn.stop());

  const login = async (username: string, password: string) => {
    const res = await tn.request({ method: 'POST', url: '/api/users/login', payload: { username, password }, anonymous: true });
    assert.equal(res.statusCode, 200, res.body);
    const cookie = res.cookies.find((c) => c.name === 'shoal_session');
    assert.ok(cookie, 'login sets the session cookie');
    return { cookie, header: `shoal_session=${cookie.value}`, res };
  };
  const me = (headers: Record<string, string>) => tn.request({ method: 'GET', url: '/api/users/me', headers });

  it('answers 401 with the error shape on every route but the pings, login and the agent download, whatever the body', async () => {
    const routes = routesOf(tn.node.app).filter((r) => r.path.startsWith('/api/'));
    const names = routes.map((r) => `${r.method} ${r.path}`);
    for (const expected of ['POST /api/tasks', 'GET /api/tasks/:id/log', 'PATCH /api/nodes/:name', 'DELETE /api/nodes/:name', 'POST /api/users/logout', 'DELETE /api/users/me/apikeys/:id', 'GET /api/events']) {
      assert.ok(names.includes(expected), `route list is complete: ${expected} in ${names.join(', ')}`);
    }
    const checked: string[] = [];
    for (const r of routes) {
      const name = `${r.method} ${r.path}`;
      if (ANONYMOUS.has(name)) continue;
      const url = r.url({ name: 'auth-node', spaceId: 'Spaces-1' });
      const hasBody = ['POST', 'PUT', 'PATCH'].includes(r.method);
      for (const headers of [{}, { 'x-api-key': 'API-NOTAREALKEYNOTAREALKEYNOTAREALK' }, { authorization: 'Bearer nope' }, { cookie: 'shoal_session=forged' }]) {
        // A body the route would refuse: authentication must come before validation.
        const res = await tn.node.app.inject({ method: r.method as 'GET', url, headers, ...(hasBody ? { payload: { unexpected: 1 } } : {}) });
        assert.equal(res.statusCode, 401, `${name} with ${JSON.stringify(headers)}: ${res.statusCode} ${res.body}`);
        if (r.method !== 'HEAD') assert.equal(errorBody(res, { octopus: r.octopusOnly }).code, 'Unauthorized', name);
      }
      checked.push(name);
    }
    assert.ok(checked.length >= 15, `checked ${checked.length} routes`);
  });

  it('leaves the pings and login open', async () => {
    for (const url of ['/api/nodes/ping', '/api/octopusservernodes/ping']) {
      const res = await tn.request({ method: 'GET', url, anonymous: true });
      assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
      assert.equal(res.json().name, 'auth-node');
    }
    const bad = await tn.request({ method: 'POST', url: '/api/users/login', payload: { username: 'admin', password: 'wrong' }, anonymous: true });
    assert.equal(bad.statusCode, 401);
    assert.equal(errorBody(bad).code, 'Unauthorized');
    assert.equal(bad.cookies.length, 0);
  });

  it('accepts an API key in X-Api-Key and as a Bearer token, and nothing else', async () => {
    for (const headers of [{ 'x-api-key': tn.adminKey }, { authorization: `Bearer ${tn.adminKey}` }] as Record<string, string>[]) {
      const res = await me(headers);
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.username, 'admin');
      assert.equal(body.isAdmin, true);
      assert.deepEqual(body.roles, ['Admin']);
    }
    const wrong: Record<string, string>[] = [
      { authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}` },
      { authorization: tn.adminKey },
      { 'x-api-key': `${tn.adminKey}x` },
    ];
    for (const headers of wrong) {
      const res = await me(headers);
      assert.equal(res.statusCode, 401, `${JSON.stringify(headers)} → ${res.body}`);
      errorBody(res);
    }
  });

  it('login sets an HttpOnly, SameSite session cookie; logout ends the session at once', async () => {
    const { cookie, header, res } = await login('admin', ADMIN_PASSWORD);
    assert.equal(res.json().username, 'admin');
    assert.equal(cookie.httpOnly, true);
    assert.match(String(cookie.sameSite), /^(Lax|Strict)$/i);
    assert.equal(cookie.path, '/');
    const raw = String(res.headers['set-cookie']);
    assert.match(raw, /HttpOnly/i);
    assert.match(raw, /SameSite=(Lax|Strict)/i);

    assert.equal((await me({ cookie: header })).statusCode, 200);
    const out = await tn.request({ method: 'POST', url: '/api/users/logout', headers: { cookie: header, 'x-shoal-request': '1' } });
    assert.equal(out.statusCode, 200, out.body);
    const cleared = out.cookies.find((c) => c.name === 'shoal_session');
    assert.ok(cleared && (cleared.value === '' || (cleared.expires && cleared.expires.getTime() < Date.now())), 'logout clears the cookie');
    const after = await me({ cookie: header });
    assert.equal(after.statusCode, 401, `the old cookie still works right after logout: ${after.body}`);
    assert.equal(errorBody(after).code, 'Unauthorized');
  });

  it('a revoked API key is refused at once', async () => {
    const created = await tn.request({ method: 'POST', url: '/api/users/me/apikeys', payload: { name: 'short-lived' } });
    assert.equal(created.statusCode, 201, created.body);
    const { id, apiKey, revoked } = created.json();
    assert.match(apiKey, /^API-[A-Z2-9]{32}$/);
    assert.equal(revoked, false);
    assert.equal((await me({ 'x-api-key': apiKey })).statusCode, 200);

    const del = await tn.request({ method: 'DELETE', url: `/api/users/me/apikeys/${id}` });
    assert.equal(del.statusCode, 204, del.body);
    const refused = await me({ 'x-api-key': apiKey });
    assert.equal(refused.statusCode, 401, `a revoked key still works: ${refused.body}`);
    assert.match(errorBody(refused).message, /revoked|not valid/i);
    const list = await tn.request({ method: 'GET', url: '/api/users/me/apikeys' });
    assert.equal(list.json().find((k: { id: string }) => k.id === id).revoked, true);
    const again = await tn.request({ method: 'DELETE', url: `/api/users/me/apikeys/${id}` });
    assert.equal(again.statusCode, 404);
    errorBody(again);
  });

  it('a program keeps one named key: reused while it works, replaced (the others of its name revoked) when it does not', async () => {
    const adminId = Number((await tn.node.shoal.db.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirstOrThrow()).id);
    const name = 'Shoal manager (this computer)';
    const active = async () => (await listApiKeys(tn.node.shoal, adminId)).filter((k) => k.name === name && k.revoked_at == null).length;
    const first = await reuseOrReplaceNamedKey(tn.node.shoal, adminId, name);
    assert.equal(first.reused, false);
    assert.deepEqual(await reuseOrReplaceNamedKey(tn.node.shoal, adminId, name, first.key), { key: first.key, reused: true });
    // Forgotten (a session-only store): a new key, and the old one revoked.
    const second = await reuseOrReplaceNamedKey(tn.node.shoal, adminId, name);
    assert.notEqual(second.key, first.key);
    assert.equal(await active(), 1);
    assert.equal((await me({ 'x-api-key': first.key })).statusCode, 401);
    assert.equal((await me({ 'x-api-key': second.key })).statusCode, 200);
    // A key of another name is not taken for it.
    assert.equal((await reuseOrReplaceNamedKey(tn.node.shoal, adminId, name, tn.adminKey)).reused, false);
    assert.equal(await active(), 1);
  });

  it('a user who is not an administrator may read but not change nodes or run scripts', async () => {
    const viewers = (await tn.request({ method: 'GET', url: '/api/teams' })).json().find((t: { name: string }) => t.name === 'Viewers');
    const created = await tn.request({ method: 'POST', url: '/api/users', payload: { username: 'bob', password: 'bob-password-1', teamIds: [viewers.id] } });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().isAdmin, false);
    const dup = await tn.request({ method: 'POST', url: '/api/users', payload: { username: 'BOB', password: 'bob-password-22' } });
    assert.equal(dup.statusCode, 409);
    assert.equal(errorBody(dup).code, 'Conflict');

    const { header } = await login('bob', 'bob-password-1');
    const as = (opts: Parameters<TestNode['request']>[0]) => tn.request({ ...opts, headers: { ...(opts.headers as object), cookie: header, 'x-shoal-request': '1' } });

    const forbidden = [
      await as({ method: 'PATCH', url: '/api/nodes/auth-node', payload: { taskCap: 3 } }),
      await as({ method: 'POST', url: '/api/tasks', payload: { kind: 'AdHocScript', arguments: { script: 'echo hi' } } }),
      await as({ method: 'PUT', url: '/api/configuration/queue', payload: { paused: true } }),
      await as({ method: 'POST', url: '/api/users', payload: { username: 'eve', password: 'eve-password-12', isAdmin: true } }),
      await as({ method: 'GET', url: '/api/events' }),
    ];
    for (const res of forbidden) {
      assert.equal(res.statusCode, 403, res.body);
      assert.equal(errorBody(res).code, 'Forbidden');
    }
    const [node] = (await tn.request({ method: 'GET', url: '/api/nodes' })).json();
    assert.equal(node.taskCap, 0, 'the refused PATCH changed nothing');

    const list = await as({ method: 'GET', url: '/api/tasks' });
    assert.equal(list.statusCode, 200, list.body);
    assert.equal(typeof list.json().total, 'number');
    assert.equal((await as({ method: 'GET', url: '/api/nodes' })).statusCode, 200);
    const check = await as({ method: 'POST', url: '/api/tasks', payload: { kind: 'SystemIntegrityCheck' } });
    assert.equal(check.statusCode, 201, 'an integrity check is open to every role');
    assert.equal(check.json().createdBy, 'bob');
  });
});
