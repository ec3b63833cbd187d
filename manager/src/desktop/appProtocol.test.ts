/**
 * The desktop app's app:// protocol as Electron's main process serves it (protocol.handle takes
 * exactly this Request → Response function), run here under plain Node against a real node: the
 * screens with the CSP and the manager's mark; a connection's API with the key added here and in
 * nothing the page gets; a live task log whose first line arrives while the script still runs; an
 * upload streamed in; and nothing for another origin.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeTempDir, removeTempDirs } from '../../../server-core/src/testing/tempDir.js';
import { startTestNode, type TestNode } from '../../../server-core/src/testing/testNode.js';
import { ManagerCore } from '../manager.js';
import { PortalFiles } from '../portal/portalFiles.js';
import { appProtocolHandler, isAppUrl } from './appProtocol.js';

describe('the app:// protocol (Node-level)', { timeout: 60_000 }, () => {
  let node: TestNode;
  let core: ManagerCore;
  let handle: (r: Request) => Promise<Response>;
  let id: string;
  let apiKey: string;
  const portal = makeTempDir('shoal-portal-');

  before(async () => {
    node = await startTestNode({ nodeName: 'app-protocol' });
    apiKey = node.adminKey;
    fs.mkdirSync(path.join(portal, 'assets'));
    fs.writeFileSync(path.join(portal, 'index.html'), '<!doctype html><html><head><title>Shoal</title></head><body></body></html>');
    fs.writeFileSync(path.join(portal, 'assets', 'index-abc.js'), 'console.log(1)');
    core = await ManagerCore.open({ dataDir: makeTempDir('shoal-app-manager-'), secrets: 'session' });
    id = (await core.addConnection({ name: 'Node', url: node.node.url, apiKey })).id;
    handle = appProtocolHandler(core, new PortalFiles(portal));
  });
  after(async () => {
    await core?.close();
    await node?.stop();
    removeTempDirs();
  });

  const api = (p: string, init?: RequestInit) => handle(new Request(`app://shoal/connections/${id}/api${p}`, init));

  it('serves the page with the manager\'s mark and the CSP, its assets, and nothing else', async () => {
    const page = await handle(new Request('app://shoal/index.html?connection=x'));
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'; script-src 'self'/);
    assert.match(await page.text(), /<head>\s*<meta name="shoal-host" content="manager">/);
    const asset = await handle(new Request('app://shoal/assets/index-abc.js'));
    assert.equal(asset.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(await asset.text(), 'console.log(1)');
    for (const url of ['app://shoal/assets/..%2fpackage.json', 'app://shoal/assets/%2e%2e%2fpackage.json', 'app://shoal/package.json', 'app://other/index.html']) {
      assert.equal((await handle(new Request(url))).status, 404, url);
    }
    assert.equal((await handle(new Request('app://shoal/index.html', { method: 'POST', body: 'x' }))).status, 405);
    assert.equal((await handle(new Request('app://shoal/connections/nope/api/users/me'))).status, 404);
    assert.deepEqual(['app://shoal/index.html', 'app://shoal/', 'app://evil/', 'https://shoal/', 'not a url'].map(isAppUrl), [true, true, false, false, false]);
  });

  it('calls a connection\'s API with its key added, which the answer never carries', async () => {
    const me = await api('/users/me');
    assert.equal(me.status, 200);
    const text = await me.text();
    assert.equal(JSON.parse(text).username, 'admin');
    assert.equal(text.includes(apiKey) || [...me.headers.values()].some((v) => v.includes(apiKey)), false);
    assert.equal(me.headers.get('set-cookie'), null);
  });

  it('streams a live task log: the first line arrives while the script still runs', async () => {
    const marker = path.join(makeTempDir('shoal-app-log-'), 'end');
    const created = await api('/tasks', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'AdHocScript', arguments: { script: `echo first-line; while [ ! -e '${marker}' ]; do sleep 0.1; done; echo second-line`, syntax: 'bash' } }),
    });
    assert.equal(created.status, 201);
    const task = (await created.json()) as { id: string };
    const log = await api(`/tasks/${task.id}/log`, { headers: { accept: 'text/event-stream' } });
    assert.match(log.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = log.body!.pipeThrough(new TextDecoderStream()).getReader();
    let seen = '';
    while (!seen.includes('first-line')) seen += (await reader.read()).value ?? '';
    const state = ((await (await api(`/tasks/${task.id}`)).json()) as { state: string }).state;
    assert.equal(state, 'Executing', 'the first line came before the script ended');
    fs.writeFileSync(marker, '');
    for (let r = await reader.read(); !r.done; r = await reader.read()) seen += r.value;
    assert.ok(seen.indexOf('first-line') < seen.indexOf('second-line'));
    assert.match(seen, /event: end\ndata: \{"state":"Success"\}/);
  });

  it('streams an upload in as the page sends it', async () => {
    const size = 8 * 1024 * 1024;
    const boundary = `shoal-${crypto.randomBytes(8).toString('hex')}`;
    const hash = crypto.createHash('sha256');
    let sent = 0;
    const head = `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="Desk.App.1.0.0.zip"\r\ncontent-type: application/octet-stream\r\n\r\n`;
    const body = new ReadableStream<Uint8Array>({
      start: (c) => c.enqueue(Buffer.from(head)),
      pull: (c) => {
        if (sent >= size) {
          c.enqueue(Buffer.from(`\r\n--${boundary}--\r\n`));
          return c.close();
        }
        const chunk = crypto.randomBytes(Math.min(256 * 1024, size - sent));
        hash.update(chunk);
        sent += chunk.length;
        c.enqueue(chunk);
      },
    });
    const res = await api('/Spaces-1/packages/raw', { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body, duplex: 'half' } as RequestInit);
    assert.equal(res.status, 201, await res.clone().text());
    assert.equal(((await res.json()) as { hash: string }).hash, hash.digest('hex'));
  });
});
