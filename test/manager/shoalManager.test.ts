/**
 * shoal-manager as a browser uses it, against a real standalone node: the one-time link, the
 * session and CSRF guards, the bridge, and the API proxy streaming a live task log (the first
 * line arrives while the script still runs) and a large upload (with flat memory). The API key
 * never appears in anything the page receives nor in the manager's output.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ShoalClient } from '../helpers/apiClient.js';
import { startShoalManager, ManagerSession, type ShoalManagerProcess } from '../helpers/shoalManagerProcess.js';
import { startShoalProcess, type ShoalProcess } from '../helpers/shoalProcess.js';
import { readEventStream } from '../helpers/sse.js';
import { getTask } from '../helpers/tasks.js';
import { teardown } from '../helpers/teardown.js';
import { tempDir } from '../helpers/tempDir.js';
import { waitFor } from '../../server-core/src/testing/wait.js';
import { multipartUpload, PatternStream, rssOf, sampleRss } from '../storage/upload.js';

const MiB = 1024 * 1024;
const UPLOAD = 256 * MiB;

describe('shoal-manager in a browser\'s place, against a real node', { timeout: 180_000 }, () => {
  let node: ShoalProcess;
  let admin: ShoalClient;
  let apiKey: string;
  let manager: ShoalManagerProcess;
  let page: ManagerSession;
  let connectionId: string;
  const work = tempDir('shoal-manager-proxy-');

  before(async () => {
    node = await startShoalProcess({ dataDir: path.join(work, 'node'), nodeName: 'proxied' });
    admin = await ShoalClient.login(node.url, 'admin', node.adminPassword);
    apiKey = await admin.createApiKey('manager-proxy');
    manager = await startShoalManager(['--secrets', 'session', '--data-dir', path.join(work, 'manager'), '--interval-ms', '500']);
  });
  after(() => teardown());

  it('serves the page without a redirect and trades the one-time token for an HttpOnly session once', async () => {
    const res = await fetch(`${manager.url}/`, { redirect: 'manual' });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'; script-src 'self'/);
    const html = await res.text();
    assert.match(html, /<meta name="shoal-host" content="manager">/, 'the renderer\'s page, marked as the manager\'s');
    const script = /src="\.\/(assets\/index-[\w-]+\.js)"/.exec(html)?.[1];
    assert.ok(script, 'the page loads the built screens');
    const asset = await fetch(`${manager.url}/${script}`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('content-type') ?? '', /javascript/);
    await asset.arrayBuffer();
    for (const bad of ['/assets/../package.json', '/assets/%2e%2e%2fpackage.json', '/assets/.hidden.js']) assert.notEqual((await fetch(`${manager.url}${bad}`)).status, 200, bad);

    const exchange = (token: string, headers: Record<string, string> = { 'x-shoal-request': '1' }) =>
      fetch(`${manager.url}/session`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ token }) });
    assert.equal((await exchange(manager.token, {})).status, 403, 'no CSRF header');
    assert.equal((await exchange('not-the-token')).status, 401);
    page = await ManagerSession.open(manager);
    assert.match(page.cookie, /^shoal_manager_session=/);
    assert.equal((await exchange(manager.token)).status, 401, 'the token works once');
  });

  it('refuses the bridge without a session, writes without X-Shoal-Request, another Origin, and a foreign Host', async () => {
    const call = (headers: Record<string, string>) =>
      fetch(`${manager.url}/bridge/invoke/connections:list`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '[]' });
    assert.equal((await call({ 'x-shoal-request': '1' })).status, 401);
    assert.equal((await call({ cookie: page.cookie })).status, 403);
    assert.equal((await call({ cookie: page.cookie, 'x-shoal-request': '1', origin: 'http://evil.example' })).status, 403);
    assert.equal((await call({ cookie: page.cookie, 'x-shoal-request': '1' })).status, 200);
    // A DNS-rebinding page reaches 127.0.0.1 under its own name.
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${manager.url}/`, { headers: { host: `evil.example:${new URL(manager.url).port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.once('error', reject).end();
    });
    assert.equal(status, 403);
  });

  it('adds the connection through the bridge and tells the page its health as events', async () => {
    const stop = new AbortController();
    const events = readEventStream(`${manager.url}/bridge/events`, { cookie: page.cookie }, (e) => {
      if (e.event === 'fleet:health' && (JSON.parse(e.data) as { state: string }).state === 'reachable') stop.abort();
    }, 30_000, stop.signal);
    const added = await page.invoke<{ id: string; hasKey: boolean }>('connections:add', { name: 'Standalone', url: node.url, apiKey });
    connectionId = added.id;
    assert.equal(added.hasKey, true);
    const { events: seen, raw } = await events;
    page.received.push({ status: 200, headers: new Headers(), text: raw });
    const health = seen.filter((e) => e.event === 'fleet:health').map((e) => JSON.parse(e.data) as { connectionId: string; nodes: { name: string }[] });
    assert.deepEqual(health.at(-1)?.nodes.map((n) => n.name), ['proxied']);
    assert.ok(seen.some((e) => e.event === 'connections:changed'));
    assert.equal(await page.invoke('api:base', connectionId), `/connections/${connectionId}`);
  });

  it('streams a live task log through the proxy: the first line arrives while the script still runs', async () => {
    const marker = path.join(work, 'let-the-script-end');
    const script = `echo first-line; while [ ! -e '${marker}' ]; do sleep 0.1; done; echo second-line`;
    const created = await page.request('POST', `/connections/${connectionId}/api/tasks`, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'AdHocScript', arguments: { script, syntax: 'bash' } }),
    });
    assert.equal(created.status, 201, created.text);
    const taskId = (JSON.parse(created.text) as { id: string }).id;
    let stateAtFirstLine = '';
    const log = await readEventStream(`${manager.url}/connections/${connectionId}/api/tasks/${taskId}/log`, { cookie: page.cookie }, (e) => {
      if (e.event === 'message' && e.data.includes('first-line') && !stateAtFirstLine) {
        stateAtFirstLine = 'pending';
        void getTask(admin, taskId).then((t) => {
          stateAtFirstLine = t.state;
          fs.writeFileSync(marker, '');
        });
      }
    });
    page.received.push({ status: log.status, headers: new Headers({ 'content-type': log.contentType }), text: log.raw });
    assert.equal(log.status, 200);
    assert.match(log.contentType, /text\/event-stream/);
    assert.equal(stateAtFirstLine, 'Executing', 'the first line came through before the script ended');
    const lines = log.events.filter((e) => e.event === 'message').map((e) => e.data);
    assert.ok(lines.findIndex((l) => l.includes('first-line')) < lines.findIndex((l) => l.includes('second-line')), lines.join('\n'));
    assert.deepEqual(JSON.parse(log.events.at(-1)!.data), { state: 'Success' });
  });

  it(`streams a ${UPLOAD / MiB} MiB package upload through the proxy with flat memory`, async () => {
    const pid = manager.child.pid!;
    const baseline = rssOf(pid);
    const sampler = sampleRss([pid], 100);
    const src = new PatternStream(UPLOAD, 7);
    const r = await multipartUpload(`${manager.url}/connections/${connectionId}/api/Spaces-1/packages/raw`, { cookie: page.cookie, 'x-shoal-request': '1' }, 'Proxied.App.1.0.0.zip', src);
    const growth = sampler.stop().get(pid)! - baseline;
    page.received.push({ status: r.status, headers: new Headers(), text: JSON.stringify(r.body) });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.hash, src.hash.digest('hex'));
    process.stderr.write(`upload through shoal-manager: ${UPLOAD / MiB} MiB in ${(r.ms / 1000).toFixed(1)} s; manager RSS growth ${(growth / MiB).toFixed(1)} MiB\n`);
    assert.ok(growth < 64 * MiB, `the manager's RSS grew by ${(growth / MiB).toFixed(1)} MiB`);
  });

  it('answers in Shoal\'s error shape for an unknown connection or a path outside the API', async () => {
    const unknown = await page.request('GET', '/connections/nope/api/nodes');
    assert.equal(unknown.status, 404);
    assert.match(JSON.parse(unknown.text).error.message, /no connection nope/);
    assert.equal((await page.request('GET', `/connections/${connectionId}/apix`)).status, 404);
  });

  it('never lets the API key reach the page or the manager\'s output', async () => {
    await page.invoke('connections:list');
    await page.invoke('fleet:list');
    await page.invoke('connections:test', { connectionId });
    await page.invoke('connections:export');
    await page.request('GET', `/connections/${connectionId}/api/users/me`);
    await page.request('GET', '/');
    const received = page.everythingReceived();
    assert.ok(received.includes('proxied'), 'the record holds what the page got');
    assert.equal(received.includes(apiKey), false, 'the key is in something the page received');
    await waitFor(() => manager.output().includes('Server listening'), { message: 'no log output to look at' });
    assert.equal(manager.output().includes(apiKey), false, 'the key is in the manager\'s output');
  });
});
