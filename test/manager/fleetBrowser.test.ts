/**
 * shoal-manager's screens in Debian's Chromium, against two real targets: a 2-node PostgreSQL
 * cluster behind HAProxy (the example config, with its runtime API to read its view) and a
 * standalone node. Both are added through the connection form (tested first); the fleet shows
 * both; node2's maintenance flow runs end to end, with HAProxy's view and node2's ping read at
 * each stage; a live task log streams through the proxy into the page (its first line shown
 * before the script ends); `kill -9` of node2 makes a notification (in the centre and as an OS
 * notification) within the offline threshold plus 5 s, and its card shows it Offline; HAProxy
 * stopped shows the cluster unreachable, started again, recovered. The API keys appear in no
 * response the page received (bodies, headers, server-sent events), in no DOM, in no storage,
 * and in none of the manager's logs. Screenshots of every screen: test-artifacts/manager/.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ShoalClient } from '../helpers/apiClient.js';
import { launchChromium, stepWithScreenshot } from '../helpers/browser.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { freePort } from '../helpers/freePort.js';
import { startHaproxy, type Haproxy } from '../helpers/haproxy.js';
import { REPO_ROOT } from '../helpers/repo.js';
import { startShoalManager, type ShoalManagerProcess } from '../helpers/shoalManagerProcess.js';
import { startShoalProcess, type ShoalProcess } from '../helpers/shoalProcess.js';
import { getTask, queueScript, waitForTaskState } from '../helpers/tasks.js';
import { teardown } from '../helpers/teardown.js';
import { tempDir } from '../helpers/tempDir.js';
import { waitFor } from '../helpers/waitFor.js';

const SHOTS = path.join(REPO_ROOT, 'test-artifacts/manager');
/** The cluster's offline threshold: three missed 5 s heartbeats. */
const OFFLINE_THRESHOLD_MS = 15_000;
const INTERVAL_MS = 2000;

/** What the page received: every response (headers, and bodies that end) and every server-sent event. */
interface Received {
  url: string;
  text: string;
}

describe('shoal-manager in Chromium: fleet, maintenance, notifications against a cluster and a standalone node', { timeout: 420_000 }, () => {
  let cluster: Cluster;
  let lb: Haproxy;
  let lbPort: number;
  let solo: ShoalProcess;
  let admin: ShoalClient;
  let clusterKey: string;
  let soloKey: string;
  let manager: ShoalManagerProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const received: Received[] = [];
  const domSeen: string[] = [];
  const pageErrors: string[] = [];
  const work = tempDir('shoal-manager-browser-');
  const step = stepWithScreenshot(SHOTS, () => page);

  const shot = async (name: string) => {
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
    domSeen.push(await page.content());
  };
  const card = (name: string) => page.getByTestId('fleet-card').filter({ has: page.getByRole('heading', { name, exact: true }) });
  const until = (fn: () => Promise<boolean>, message: string, timeoutMs = 15_000) => waitFor(fn, { timeoutMs, intervalMs: 100, message });
  const ping = async (url: string) => {
    const res = await fetch(`${url}/api/nodes/ping`);
    await res.arrayBuffer();
    return res.status;
  };
  const node2 = () => cluster.nodes[1]!;

  before(async () => {
    fs.rmSync(SHOTS, { recursive: true, force: true });
    fs.mkdirSync(SHOTS, { recursive: true });
    cluster = await startCluster(2, 2);
    lbPort = await freePort();
    lb = await startHaproxy(cluster.dir, lbPort, cluster.nodes.map((n) => ({ name: n.nodeName, port: n.port })), { adminSocket: true });
    solo = await startShoalProcess({ dataDir: path.join(work, 'solo'), nodeName: 'solo' });
    admin = await ShoalClient.login(lb.url, 'admin', cluster.nodes[0]!.adminPassword);
    clusterKey = await admin.createApiKey('manager-browser');
    soloKey = await (await ShoalClient.login(solo.url, 'admin', solo.adminPassword)).createApiKey('manager-browser');
    manager = await startShoalManager(['--secrets', 'session', '--data-dir', path.join(work, 'manager'), '--interval-ms', String(INTERVAL_MS)]);

    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(['notifications'], { origin: manager.url });
    // The page's OS notifications, as it asks for them (the real Notification, recorded on the way).
    await context.addInitScript(() => {
      const Real = window.Notification;
      const shown: { title: string; at: number }[] = [];
      (window as unknown as { shownNotifications: typeof shown }).shownNotifications = shown;
      window.Notification = class extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          shown.push({ title, at: Date.now() });
        }
      } as typeof Notification;
    });
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('response', async (res) => {
      const headers = Object.entries(await res.allHeaders()).map(([k, v]) => `${k}: ${v}`).join('\n');
      const streaming = (res.headers()['content-type'] ?? '').includes('text/event-stream');
      // Event streams are read below, event by event; their bodies would only end with the page.
      const body = streaming ? '' : await res.text().catch(() => '');
      received.push({ url: res.url(), text: `${res.status()}\n${headers}\n\n${body}` });
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    cdp.on('Network.eventSourceMessageReceived', (e) => received.push({ url: 'event-source', text: `${e.eventName}\n${e.data}` }));
  });
  after(async () => {
    await browser?.close();
    await teardown();
  });

  step('the one-time link opens the fleet: empty, with a way to add a cluster', async () => {
    await page.goto(manager.link);
    await page.getByRole('heading', { name: 'No clusters yet' }).waitFor({ timeout: 15_000 });
    assert.equal(new URL(page.url()).hash, '#/fleet', 'the token left the address');
    await shot('fleet-empty');
  });

  step('adds the cluster through the form after testing it, and the standalone node', async () => {
    await page.getByRole('link', { name: 'Add a cluster' }).first().click();
    const form = page.getByTestId('connection-form');
    await form.locator('input[name=name]').fill('HA cluster');
    await form.locator('input[name=url]').fill(lb.url);
    await form.locator('input[name=apiKey]').fill(clusterKey);
    await form.locator('input[name=folder]').fill('Production');
    await form.getByRole('button', { name: 'Test connection' }).click();
    const result = page.getByTestId('connection-test');
    await result.waitFor({ timeout: 15_000 });
    assert.equal(await result.getAttribute('data-ok'), 'true', await result.innerText());
    assert.match(await result.innerText(), /2 nodes; the key acts as admin/);
    await shot('connection-test');
    await form.getByRole('button', { name: 'Add', exact: true }).click();
    await page.locator('tr[data-connection]').filter({ hasText: 'HA cluster' }).waitFor();

    await page.getByRole('link', { name: 'Add a cluster' }).first().click();
    await form.locator('input[name=name]').fill('Standalone');
    await form.locator('input[name=url]').fill(solo.url);
    await form.locator('input[name=apiKey]').fill(soloKey);
    await form.getByRole('button', { name: 'Add', exact: true }).click();
    await page.locator('tr[data-connection]').filter({ hasText: 'Standalone' }).waitFor();
    assert.equal(await page.locator('tr[data-connection]').count(), 2);
    await shot('connections');
  });

  step('the fleet shows both, live: nodes by status, queue, running tasks, version', async () => {
    await page.getByRole('navigation', { name: 'Manager' }).getByRole('link', { name: 'Fleet' }).click();
    for (const name of ['HA cluster', 'Standalone']) {
      await until(async () => (await card(name).getAttribute('data-state')) === 'reachable', `${name} never showed reachable`);
    }
    const ha = card('HA cluster');
    assert.deepEqual(await ha.locator('.nodes li').evaluateAll((els) => els.map((e) => e.getAttribute('data-node'))), ['node1', 'node2']);
    assert.match(await ha.getByTestId('nodes-by-status').innerText(), /2 Running/);
    assert.equal(await ha.getByTestId('queue-depth').innerText(), '0');
    assert.match(await card('Standalone').innerText(), /solo/);
    assert.match(await page.getByTestId('fleet-summary').innerText(), /2 clusters: 2 reachable/);
    await shot('fleet');
  });

  step("node2's maintenance, guided, with HAProxy's view and node2's ping at each stage", async () => {
    // A task that keeps node2 busy until released: node1 takes nothing while it is queued.
    const release = path.join(work, 'release-node2');
    await admin.call('PATCH', '/api/nodes/node1', { taskCap: 0 });
    const busy = await queueScript(admin, `echo busy; while [ ! -e '${release}' ]; do sleep 0.2; done`);
    assert.equal((await waitForTaskState(admin, busy.id, ['Executing'])).nodeName, 'node2');
    await admin.call('PATCH', '/api/nodes/node1', { taskCap: 2 });

    await card('HA cluster').getByRole('link', { name: 'Open' }).click();
    await page.getByRole('heading', { name: 'Nodes' }).waitFor({ timeout: 15_000 });
    assert.match(page.url(), /\?connection=conn-[0-9a-f]+#\/nodes$/);
    await page.locator('tr[data-node="node2"]').waitFor();
    await shot('cluster-nodes');
    await page.locator('tr[data-node="node2"]').getByRole('link', { name: 'Maintenance' }).click();

    const flow = page.getByTestId('maintenance');
    const at = (s: string) => until(async () => (await flow.getAttribute('data-step')) === s, `the flow never reached "${s}"`, 20_000);
    const pingShown = () => page.getByTestId('ping-status').getAttribute('data-status');
    await at('drain');
    await until(async () => (await pingShown()) === '200', 'the page never showed node2 answering 200');
    assert.equal(await ping(node2().url), 200);
    assert.equal((await lb.serverStates()).node2, 'UP');
    await shot('maintenance-1-drain');

    await page.getByRole('button', { name: 'Drain node2' }).click();
    await at('idle');
    assert.equal(await page.getByTestId('idle-count').innerText(), '1', 'the running task is counted');
    await until(async () => (await pingShown()) === '418', 'the page never showed the ping answering 418');
    assert.equal(await ping(node2().url), 418);
    await until(async () => (await lb.serverStates()).node2 === 'DOWN', 'HAProxy never took node2 out');
    await shot('maintenance-2-idle');

    fs.writeFileSync(release, '');
    await waitForTaskState(admin, busy.id, ['Success']);
    await at('work');
    assert.equal(await ping(node2().url), 418, 'out of rotation while the operator works');
    assert.equal((await lb.serverStates()).node2, 'DOWN');
    assert.match(await flow.innerText(), /node2 is out of the balancer \(its ping answers 418\)/);
    await shot('maintenance-4-work');
    const boxes = flow.locator('.checklist input[type=checkbox]');
    const items = await boxes.count();
    // The last tick ends the step (and its list): clicks, not checks that wait to see the box ticked.
    for (let i = 0; i < items; i++) await boxes.nth(i).click();

    await at('undrain');
    await shot('maintenance-5-end');
    await page.getByRole('button', { name: 'End maintenance' }).click();
    await at('done');
    assert.equal(await ping(node2().url), 200);
    await until(async () => (await lb.serverStates()).node2 === 'UP', 'HAProxy never put node2 back');
    assert.equal(await pingShown(), '200');
    await shot('maintenance-6-done');
  });

  step('a live task log through the proxy: its first line is on the page before the script ends', async () => {
    const release = path.join(work, 'release-log');
    const task = await queueScript(admin, `echo first-line; while [ ! -e '${release}' ]; do sleep 0.1; done; echo second-line`);
    await page.goto(`${manager.url}/?connection=${await connectionId('HA cluster')}#/tasks/${task.id}`);
    const lines = page.locator('[data-testid="task-log"] .line .text');
    await until(async () => (await lines.allTextContents()).some((l) => l.includes('first-line')), 'the first line never showed');
    assert.equal((await getTask(admin, task.id)).state, 'Executing', 'the line came through before the script ended');
    await shot('task-live-log');
    fs.writeFileSync(release, '');
    await until(async () => (await lines.allTextContents()).some((l) => l.includes('second-line')), 'the second line never showed');
  });

  step(`kill -9 of node2: a notification within the offline threshold plus 5 s, and the card shows it Offline`, async () => {
    await page.goto(`${manager.url}/#/fleet`);
    const ha = card('HA cluster');
    await until(async () => (await ha.getAttribute('data-state')) === 'reachable', 'the card was not reachable before the kill');
    const killedAt = Date.now();
    node2().child.kill('SIGKILL');
    const bound = OFFLINE_THRESHOLD_MS + 5000;
    await until(async () => (await page.getByTestId('unread-count').count()) > 0, 'no notification reached the page', bound);
    const noticedMs = Date.now() - killedAt;
    process.stderr.write(`kill -9 → notification in the page: ${noticedMs} ms (bound ${bound} ms; checks every ${INTERVAL_MS} ms)\n`);
    assert.ok(noticedMs <= bound);
    await until(async () => (await ha.locator('li[data-node="node2"] [data-status]').getAttribute('data-status')) === 'Offline', 'the card does not show node2 Offline', 5000);
    assert.match(await ha.getByTestId('nodes-by-status').innerText(), /1 Offline/);
    const shown = await page.evaluate(() => (window as unknown as { shownNotifications: { title: string }[] }).shownNotifications.map((n) => n.title));
    assert.deepEqual(shown, ['node2 is offline (HA cluster)'], 'one OS notification');
    await shot('fleet-node-offline');
    await page.getByTestId('notification-bell').first().click();
    const item = page.getByTestId('notification').filter({ hasText: 'node2 is offline' });
    await item.waitFor();
    await shot('notifications');
    await item.click();
    await page.getByRole('heading', { name: 'Nodes' }).waitFor({ timeout: 15_000 });
    assert.match(page.url(), /\?connection=conn-[0-9a-f]+#\/nodes$/, 'the notification opens the cluster\'s Nodes page');
  });

  step('HAProxy stopped: the cluster is unreachable with the error and the next try; started again: recovered', async () => {
    await page.goto(`${manager.url}/#/fleet`);
    await lb.stop();
    const ha = card('HA cluster');
    await until(async () => (await ha.getAttribute('data-state')) === 'unreachable', 'the card never showed unreachable', 20_000);
    assert.match(await ha.getByTestId('card-error').innerText(), /connection refused[\s\S]*next try/);
    assert.equal(await card('Standalone').getAttribute('data-state'), 'reachable');
    await shot('fleet-unreachable');
    lb = await startHaproxy(cluster.dir, lbPort, [{ name: 'node1', port: cluster.nodes[0]!.port }], { adminSocket: true });
    await until(async () => (await ha.getAttribute('data-state')) === 'reachable', 'the card never recovered', 30_000);
    await page.getByTestId('notification-bell').first().click();
    await page.getByTestId('notification').filter({ hasText: 'HA cluster is reachable again' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.getByTestId('notification').filter({ hasText: 'HA cluster is unreachable' }).count(), 1, 'one notification for the outage');
    await shot('notifications-recovered');
  });

  step('the API keys are in nothing the page received, in no DOM, in no storage, in none of the manager\'s logs', async () => {
    domSeen.push(await page.content());
    const storage = await page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } }));
    const everything = [...received.map((r) => r.text), ...domSeen, storage].join('\n');
    assert.ok(received.some((r) => r.url.includes('/connections/') && r.text.includes('node1')), 'the record holds the proxied answers');
    assert.ok(received.some((r) => r.url === 'event-source' && r.text.includes('fleet:health')), 'the record holds the server-sent events');
    for (const [name, key] of [['cluster', clusterKey], ['standalone', soloKey]] as const) {
      assert.equal(everything.includes(key), false, `the ${name} key reached the page`);
      assert.equal(manager.output().includes(key), false, `the ${name} key is in the manager's logs`);
    }
    assert.ok(manager.output().includes('"msg"'), 'the manager logged (as JSON) for the search to mean something');
    assert.deepEqual(pageErrors, []);
  });

  async function connectionId(name: string): Promise<string> {
    const res = await page.evaluate(async () => (await fetch('/bridge/invoke/connections:list', { method: 'POST', headers: { 'content-type': 'application/json', 'x-shoal-request': '1' }, body: '[]' })).json());
    return (res as { result: { id: string; name: string }[] }).result.find((c) => c.name === name)!.id;
  }
});
