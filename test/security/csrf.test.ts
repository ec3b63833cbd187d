/**
 * Cross-site request forgery, tried from a real browser: a page on another port of the same
 * host (same site, so even a SameSite=Strict cookie goes along) makes a logged-in portal
 * user's browser post forms, `no-cors` fetches and multipart uploads to the node. Nothing
 * changes; the portal itself still works.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ShoalClient } from '../helpers/apiClient.js';
import { launchChromium, logInToPortal } from '../helpers/browser.js';
import { startShoalProcess, type ShoalProcess } from '../helpers/shoalProcess.js';
import { queueScript, waitForTaskState } from '../helpers/tasks.js';
import { tempDir } from '../helpers/tempDir.js';
import { teardown } from '../helpers/teardown.js';
import { waitFor } from '../../server-core/src/testing/wait.js';

/** The attacker's page: fires every kind of simple cross-site request at the node. */
function attackPage(node: string, taskId: string): string {
  return `<!doctype html><html><body>
<form id="logout" method="POST" action="${node}/api/users/logout" target="sink"></form>
<form id="pause" method="POST" action="${node}/api/configuration/queue" enctype="text/plain" target="sink"><input name='{"paused":true,"x":"' value='"}'></form>
<iframe name="sink"></iframe>
<script>
  (async () => {
    const opts = { mode: 'no-cors', credentials: 'include' };
    await fetch('${node}/api/tasks/${taskId}/cancel', { ...opts, method: 'POST' }).catch(() => {});
    const fd = new FormData();
    fd.append('file', new Blob(['FORGED-BYTES']), 'Victim.1.0.0.zip');
    await fetch('${node}/api/Spaces-1/packages/raw?replace=true', { ...opts, method: 'POST', body: fd }).catch(() => {});
    await fetch('${node}/api/tasks', { ...opts, method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ kind: 'AdHocScript', arguments: { script: 'touch /tmp/csrf-owned' } }) }).catch(() => {});
    document.getElementById('pause').submit();
    await new Promise((r) => setTimeout(r, 300));
    document.getElementById('logout').submit();
    await new Promise((r) => setTimeout(r, 300));
    document.title = 'attack done';
  })();
</script></body></html>`;
}

describe('CSRF from another port of the same host', () => {
  let node: ShoalProcess;
  let admin: ShoalClient;
  let browser: Browser;
  let page: Page;
  let attacker: http.Server;
  before(async () => {
    node = await startShoalProcess({ dataDir: tempDir('shoal-csrf-'), nodeName: 'csrf-node', taskCap: 2 });
    admin = await ShoalClient.login(node.url, 'admin', node.adminPassword);
    browser = await launchChromium();
    page = await browser.newPage();
  });
  after(async () => {
    await browser?.close();
    attacker?.close();
    await teardown();
  });

  it('changes nothing: the task runs on, the package is intact, the queue runs, the session lives', async () => {
    const form = new FormData();
    form.append('file', new Blob(['GENUINE-BYTES']), 'Victim.1.0.0.zip');
    const up = await fetch(`${node.url}/api/Spaces-1/packages/raw`, { method: 'POST', headers: admin.headers(), body: form });
    assert.equal(up.status, 201, await up.text());
    const task = await queueScript(admin, 'sleep 30');
    await waitForTaskState(admin, task.id, ['Executing']);
    const eventsBefore = (await admin.get('/api/events?take=1')).total;

    // The victim logs in to the portal in the browser.
    await logInToPortal(page, node.url, 'admin', node.adminPassword);

    attacker = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(attackPage(node.url, task.id)));
    await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', () => r()));
    const attackerUrl = `http://127.0.0.1:${(attacker.address() as { port: number }).port}/`;
    await page.goto(attackerUrl);
    await waitFor(async () => (await page.title()) === 'attack done', { timeoutMs: 15_000, message: 'the attack page did not finish' });

    assert.equal((await admin.get(`/api/tasks/${task.id}`)).state, 'Executing', 'the task was canceled');
    const raw = await admin.request('GET', '/api/Spaces-1/packages/Victim/versions/1.0.0/raw');
    assert.equal(raw.text, 'GENUINE-BYTES', 'the package was replaced');
    assert.deepEqual(await admin.get('/api/configuration/queue'), { paused: false });
    assert.equal((await admin.get('/api/tasks?take=1')).items[0].id, task.id, 'a task was queued');
    const newEvents = (await admin.get(`/api/events?take=${(await admin.get('/api/events?take=1')).total - eventsBefore}`)).items.map((e: { action: string }) => e.action);
    assert.deepEqual(newEvents, ['user.login'], 'the only audit event since is the victim\'s login');

    // Back on the portal, the session still works, and the portal's own requests (which carry the header) do.
    await page.goto(`${node.url}/#/tasks/${task.id}`);
    await page.getByRole('button', { name: /cancel/i }).click();
    await waitForTaskState(admin, task.id, ['Canceled']);
  });
});
