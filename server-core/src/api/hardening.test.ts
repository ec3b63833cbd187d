/** Headers, Host names, HTTP-layer errors, bounded parameters, downloads that never follow links, TLS. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSession, purgeSessions, SESSION_IDLE_MS } from '../auth/sessions.js';
import { rawRequest } from '../testing/rawHttp.js';
import { makeTempDir, removeTempDirs } from '../testing/tempDir.js';
import { ADMIN_PASSWORD, errorBody, startTestNode, type TestNode } from '../testing/testNode.js';

after(removeTempDirs);

function fakePortal(): string {
  const dir = makeTempDir('shoal-portal-');
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>portal</title><script type="module" src="./assets/app.js"></script>');
  fs.writeFileSync(path.join(dir, 'assets', 'app.js'), 'console.log(1)');
  return dir;
}

describe('hardening', () => {
  let tn: TestNode;
  let port: number;
  before(async () => {
    const portal = fakePortal();
    tn = await startTestNode({ nodeName: 'hard-node', taskCap: 0, configure: (c) => (c.portalDir = portal) });
    port = Number(new URL(tn.node.url).port);
  });
  after(() => tn.stop());

  it('API answers are never cached; the portal carries a CSP with no inline script', async () => {
    const api = await tn.request({ method: 'GET', url: '/api/tasks' });
    assert.equal(api.headers['cache-control'], 'no-store');
    const page = await tn.request({ method: 'GET', url: '/tasks', anonymous: true });
    assert.equal(page.statusCode, 200);
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.ok(!/script-src[^;]*unsafe-inline/.test(csp), csp);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(page.headers['x-frame-options'], 'DENY');
  });

  it('a node listening on loopback answers only loopback Host names (DNS rebinding)', async () => {
    for (const host of ['evil.example', 'evil.example:8050', '10.1.2.3', 'localhost.evil.example']) {
      const res = await rawRequest(port, { method: 'GET', target: '/api/nodes/ping', host });
      assert.equal(res.status, 421, `${host}: ${res.status}`);
      assert.equal(JSON.parse(res.body).error.code, 'HostNotAllowed');
    }
    for (const host of ['localhost', `localhost:${port}`, `127.0.0.1:${port}`, '[::1]', 'app.localhost']) {
      assert.equal((await rawRequest(port, { method: 'GET', target: '/api/nodes/ping', host })).status, 200, host);
    }
  });

  it('HTTP-layer errors (400, 414, 431) come in the error shape', async () => {
    const huge = await rawRequest(port, { method: 'GET', target: '/api/tasks', headers: { 'x-big': 'x'.repeat(20_000) } });
    assert.equal(huge.status, 431);
    assert.equal(JSON.parse(huge.body).error.code, 'HeadersTooLarge');
    const long = await rawRequest(port, { method: 'GET', target: `/api/tasks?state=${'Queued,'.repeat(1200)}`, headers: { 'x-api-key': tn.adminKey } });
    assert.equal(long.status, 414);
    assert.equal(JSON.parse(long.body).error.code, 'UriTooLong');
    const bad = await rawRequest(port, { method: 'GET', target: '/api/%zz', headers: { 'x-api-key': tn.adminKey } });
    assert.equal(bad.status, 400);
    assert.equal(JSON.parse(bad.body).error.code, 'BadRequest');
  });

  it('numeric query parameters are bounded: 400, never 500', async () => {
    for (const url of ['/api/tasks?skip=99999999999999999999', '/api/tasks?take=1e400', '/api/events?skip=1e12', '/api/Spaces-1/packages?skip=99999999999']) {
      const res = await tn.request({ method: 'GET', url });
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      errorBody(res);
    }
  });

  it('the anonymous ping shows no paths or problem details', async () => {
    const ping = (await tn.request({ method: 'GET', url: '/api/nodes/ping', anonymous: true })).json();
    assert.deepEqual(Object.keys(ping).sort(), ['database', 'drain', 'lease', 'name', 'runningTasks', 'storage', 'version']);
    assert.ok(!JSON.stringify(ping).includes(tn.dataDir), JSON.stringify(ping));
  });

  it('a package file swapped for a symlink out of the folder is not served', async () => {
    const form = new FormData();
    form.append('file', new Blob(['zip bytes']), 'Linked.1.0.0.zip');
    const up = await fetch(`${tn.node.url}/api/Spaces-1/packages/raw`, { method: 'POST', headers: { 'x-api-key': tn.adminKey }, body: form });
    assert.equal(up.status, 201, await up.text());
    const stored = path.join(tn.node.config.storage.packages, 'Spaces-1', 'Linked.1.0.0.zip');
    const secret = path.join(makeTempDir('shoal-secret-'), 'secret.txt');
    fs.writeFileSync(secret, 'TOP-SECRET');
    fs.rmSync(stored);
    fs.symlinkSync(secret, stored);
    const res = await tn.request({ method: 'GET', url: '/api/Spaces-1/packages/Linked/versions/1.0.0/raw' });
    assert.equal(res.statusCode, 404, res.body);
    assert.ok(!res.body.includes('TOP-SECRET'));
  });

  it('expired and idle sessions are purged from the table', async () => {
    const { db } = tn.node.shoal;
    const user = await db.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirstOrThrow();
    await createSession(tn.node.shoal, Number(user.id));
    const idle = await createSession(tn.node.shoal, Number(user.id));
    const expired = await createSession(tn.node.shoal, Number(user.id));
    const hash = (await import('../auth/tokens.js')).hashToken;
    await db.updateTable('sessions').set({ last_used_at: Date.now() - SESSION_IDLE_MS - 60_000 }).where('token_hash', '=', hash(idle)).execute();
    await db.updateTable('sessions').set({ expires_at: Date.now() - 1000 }).where('token_hash', '=', hash(expired)).execute();
    const idleRes = await tn.request({ method: 'GET', url: '/api/users/me', headers: { cookie: `shoal_session=${idle}` } });
    assert.equal(idleRes.statusCode, 401, 'an idle session no longer works');
    assert.ok((await purgeSessions(tn.node.shoal)) >= 2);
    const left = await db.selectFrom('sessions').select('token_hash').where('token_hash', 'in', [hash(idle), hash(expired)]).execute();
    assert.deepEqual(left, []);
  });
});

describe('TLS on a node', () => {
  it('serves HTTPS with Secure cookies and HSTS', async () => {
    const dir = makeTempDir('shoal-tls-');
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
    const tn = await startTestNode({ nodeName: 'tls-node', taskCap: 0, configure: (c) => (c.tls = { certFile: cert, keyFile: key }) });
    try {
      assert.match(tn.node.url, /^https:/);
      const res = await new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
        const req = https.request(`${tn.node.url}/api/users/login`, { method: 'POST', ca: fs.readFileSync(cert), headers: { 'content-type': 'application/json' } }, (r) => {
          let body = '';
          r.on('data', (c) => (body += c));
          r.on('end', () => resolve({ status: r.statusCode!, headers: r.headers, body }));
        });
        req.on('error', reject);
        req.end(JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }));
      });
      assert.equal(res.status, 200, res.body);
      assert.match(String(res.headers['set-cookie']), /Secure/);
      assert.match(String(res.headers['set-cookie']), /SameSite=Strict/);
      assert.match(String(res.headers['strict-transport-security']), /max-age=\d+/);
    } finally {
      await tn.stop();
    }
  });
});
