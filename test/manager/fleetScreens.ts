/**
 * The manager's screens driven as an operator uses them, on any page that shows them: Chromium
 * against shoal-manager (fleetBrowser.test.ts) and the desktop app's window (test/electron.test.ts).
 * Each flow checks what the operator sees against the real targets (HAProxy's runtime view,
 * each node's own ping, the cluster's API).
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { FleetTargets } from '../helpers/fleetTargets.js';
import { getTask, queueScript, waitForTaskState } from '../helpers/tasks.js';
import { waitFor } from '../../server-core/src/testing/wait.js';

/** The cluster's offline threshold as it publishes it (`GET /api/configuration/failover`). */
export const offlineThresholdMs = async (targets: FleetTargets): Promise<number> =>
  (await targets.admin.get<{ offlineAfterMs: number }>('/api/configuration/failover')).offlineAfterMs;

export interface Screens {
  page: Page;
  targets: FleetTargets;
  /** The address of a screen: `#/fleet`, or `?connection=<id>#/…`. */
  address(suffix: string): string;
  shot(name: string): Promise<void>;
  /** A folder for the scripts' release markers. */
  work: string;
  /** The OS notifications the app showed so far (their titles). */
  osNotifications(): Promise<string[]>;
}

const until = (fn: () => Promise<boolean>, message: string, timeoutMs = 15_000) => waitFor(fn, { timeoutMs, intervalMs: 100, message });

async function ping(url: string): Promise<number> {
  const res = await fetch(`${url}/api/nodes/ping`);
  await res.arrayBuffer();
  return res.status;
}

export const fleetCard = (page: Page, name: string) => page.getByTestId('fleet-card').filter({ has: page.getByRole('heading', { name, exact: true }) });

/** A connection's id, asked through the page's own bridge (whichever transport it has). */
export async function connectionId(page: Page, name: string): Promise<string> {
  const list = await page.evaluate(async () => {
    const w = window as unknown as { shoal?: { invoke(c: string): Promise<unknown> } };
    if (w.shoal) return w.shoal.invoke('connections:list');
    const res = await fetch('/bridge/invoke/connections:list', { method: 'POST', headers: { 'content-type': 'application/json', 'x-shoal-request': '1' }, body: '[]' });
    return ((await res.json()) as { result: unknown }).result;
  });
  return (list as { id: string; name: string }[]).find((c) => c.name === name)!.id;
}

export async function addBothThroughTheForm(s: Screens): Promise<void> {
  const { page, targets } = s;
  await page.getByRole('link', { name: 'Add a cluster' }).first().click();
  const form = page.getByTestId('connection-form');
  await form.locator('input[name=name]').fill('HA cluster');
  await form.locator('input[name=url]').fill(targets.lb.url);
  await form.locator('input[name=apiKey]').fill(targets.clusterKey);
  await form.locator('input[name=folder]').fill('Production');
  await form.getByRole('button', { name: 'Test connection' }).click();
  const result = page.getByTestId('connection-test');
  await result.waitFor({ timeout: 15_000 });
  assert.equal(await result.getAttribute('data-ok'), 'true', await result.innerText());
  assert.match(await result.innerText(), /2 nodes; the key acts as admin/);
  await s.shot('connection-test');
  await form.getByRole('button', { name: 'Add', exact: true }).click();
  await page.locator('tr[data-connection]').filter({ hasText: 'HA cluster' }).waitFor();

  await page.getByRole('link', { name: 'Add a cluster' }).first().click();
  await form.locator('input[name=name]').fill('Standalone');
  await form.locator('input[name=url]').fill(targets.solo.url);
  await form.locator('input[name=apiKey]').fill(targets.soloKey);
  await form.getByRole('button', { name: 'Add', exact: true }).click();
  await page.locator('tr[data-connection]').filter({ hasText: 'Standalone' }).waitFor();
  await s.shot('connections');
}

export async function fleetShowsBoth(s: Screens): Promise<void> {
  const { page } = s;
  await page.getByRole('navigation', { name: 'Manager' }).getByRole('link', { name: 'Fleet' }).click();
  for (const name of ['HA cluster', 'Standalone']) {
    await until(async () => (await fleetCard(page, name).getAttribute('data-state')) === 'reachable', `${name} never showed reachable`);
  }
  const ha = fleetCard(page, 'HA cluster');
  assert.deepEqual(await ha.locator('.nodes li').evaluateAll((els) => els.map((e) => e.getAttribute('data-node'))), ['node1', 'node2']);
  assert.match(await ha.getByTestId('nodes-by-status').innerText(), /2 Running/);
  assert.equal(await ha.getByTestId('queue-depth').innerText(), '0');
  assert.match(await fleetCard(page, 'Standalone').innerText(), /solo/);
  assert.match(await page.getByTestId('fleet-summary').innerText(), /2 clusters: 2 reachable/);
  await s.shot('fleet');
}

const nodeOf = async (s: Screens, name: string) => (await s.targets.admin.get<{ name: string; taskCap: number }[]>('/api/nodes')).find((n) => n.name === name);

/** The cluster's own Nodes page through the manager: a task cap edited, the queue paused and resumed. */
export async function nodesPageThroughTheManager(s: Screens): Promise<void> {
  const { page, targets } = s;
  await fleetCard(page, 'HA cluster').getByRole('link', { name: 'Open' }).click();
  await page.getByRole('heading', { name: 'Nodes' }).waitFor({ timeout: 15_000 });
  assert.match(page.url(), /\?connection=conn-[0-9a-f]+#\/nodes$/);
  const row = page.locator('tr[data-node="node1"]');
  await row.getByRole('button', { name: /^Task cap of node1/ }).click();
  const input = row.getByRole('textbox', { name: 'Task cap of node1' });
  await input.fill('3');
  await input.press('Enter');
  await until(async () => (await nodeOf(s, 'node1'))?.taskCap === 3, 'the cap edited on the page did not reach the cluster');
  await page.getByRole('button', { name: 'Pause queue' }).click();
  await until(async () => (await targets.admin.get<{ paused: boolean }>('/api/configuration/queue')).paused, 'the queue is not paused');
  await s.shot('cluster-nodes');
  await page.getByRole('button', { name: 'Resume queue' }).click();
  await until(async () => !(await targets.admin.get<{ paused: boolean }>('/api/configuration/queue')).paused, 'the queue is still paused');
  await row.getByRole('button', { name: /^Task cap of node1/ }).click();
  await input.fill('2');
  await input.press('Enter');
  await until(async () => (await nodeOf(s, 'node1'))?.taskCap === 2, 'the cap did not go back to 2');
}

/** node2's maintenance, guided from the Nodes page, with HAProxy's view and node2's own ping read at each stage. */
export async function maintenanceOfNode2(s: Screens): Promise<void> {
  const { page, targets } = s;
  const { admin, lb } = targets;
  const node2 = targets.cluster.nodes[1]!;
  // A task that keeps node2 busy until released: node1 takes nothing while it is queued.
  const release = path.join(s.work, 'release-node2');
  await admin.call('PATCH', '/api/nodes/node1', { taskCap: 0 });
  const busy = await queueScript(admin, `echo busy; while [ ! -e '${release}' ]; do sleep 0.2; done`);
  assert.equal((await waitForTaskState(admin, busy.id, ['Executing'])).nodeName, 'node2');
  await admin.call('PATCH', '/api/nodes/node1', { taskCap: 2 });

  await page.locator('tr[data-node="node2"]').getByRole('link', { name: 'Maintenance' }).click();

  const flow = page.getByTestId('maintenance');
  const at = (step: string) => until(async () => (await flow.getAttribute('data-step')) === step, `the flow never reached "${step}"`, 20_000);
  const pingShown = () => page.getByTestId('ping-status').getAttribute('data-status');
  await at('drain');
  await until(async () => (await pingShown()) === '200', 'the page never showed node2 answering 200');
  assert.equal(await ping(node2.url), 200);
  assert.equal((await lb.serverStates()).node2, 'UP');
  await s.shot('maintenance-1-drain');

  await page.getByRole('button', { name: 'Drain node2' }).click();
  await at('idle');
  assert.equal(await page.getByTestId('idle-count').innerText(), '1', 'the running task is counted');
  await until(async () => (await pingShown()) === '418', 'the page never showed the ping answering 418');
  assert.equal(await ping(node2.url), 418);
  await until(async () => (await lb.serverStates()).node2 === 'DOWN', 'HAProxy never took node2 out');
  await s.shot('maintenance-2-idle');

  fs.writeFileSync(release, '');
  await waitForTaskState(admin, busy.id, ['Success']);
  await at('work');
  assert.equal(await ping(node2.url), 418, 'out of rotation while the operator works');
  assert.equal((await lb.serverStates()).node2, 'DOWN');
  assert.match(await flow.innerText(), /node2 is out of the balancer \(its ping answers 418\)/);
  await s.shot('maintenance-4-work');
  const boxes = flow.locator('.checklist input[type=checkbox]');
  const items = await boxes.count();
  // The last tick ends the step (and its list): clicks, not checks that wait to see the box ticked.
  for (let i = 0; i < items; i++) await boxes.nth(i).click();

  await at('undrain');
  await s.shot('maintenance-5-end');
  await page.getByRole('button', { name: 'End maintenance' }).click();
  await at('done');
  assert.equal(await ping(node2.url), 200);
  await until(async () => (await lb.serverStates()).node2 === 'UP', 'HAProxy never put node2 back');
  assert.equal(await pingShown(), '200');
  await s.shot('maintenance-6-done');
}

export async function liveLogThroughTheManager(s: Screens): Promise<void> {
  const { page, targets } = s;
  const release = path.join(s.work, 'release-log');
  const task = await queueScript(targets.admin, `echo first-line; while [ ! -e '${release}' ]; do sleep 0.1; done; echo second-line`);
  await page.goto(s.address(`?connection=${await connectionId(page, 'HA cluster')}#/tasks/${task.id}`));
  const lines = page.locator('[data-testid="task-log"] .line .text');
  await until(async () => (await lines.allTextContents()).some((l) => l.includes('first-line')), 'the first line never showed');
  assert.equal((await getTask(targets.admin, task.id)).state, 'Executing', 'the line came through before the script ended');
  await s.shot('task-live-log');
  fs.writeFileSync(release, '');
  await until(async () => (await lines.allTextContents()).some((l) => l.includes('second-line')), 'the second line never showed');
}

/** The cluster's library through the manager: an upload streamed in with its progress, the package listed, downloaded back whole. */
export async function libraryThroughTheManager(s: Screens): Promise<void> {
  const { page, targets } = s;
  await page.goto(s.address(`?connection=${await connectionId(page, 'HA cluster')}#/library`));
  const bytes = crypto.randomBytes(4 * 1024 * 1024);
  const sha = crypto.createHash('sha256').update(bytes).digest('hex');
  await page.getByTestId('package-file').setInputFiles({ name: 'Desk.App.1.0.0.zip', mimeType: 'application/zip', buffer: bytes });
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await page.getByTestId('upload-message').filter({ hasText: 'Uploaded Desk.App 1.0.0.' }).waitFor({ timeout: 30_000 });
  assert.equal((await targets.admin.get<{ hash: string }>('/api/Spaces-1/packages/Desk.App/versions/1.0.0')).hash, sha);
  // The uploaded package's versions open by themselves.
  await page.getByTestId('package-versions').locator('[data-version="1.0.0"]').waitFor();
  const link = page.getByTestId('package-versions').locator('[data-version="1.0.0"]').getByRole('link', { name: 'Download' });
  const href = await link.getAttribute('href');
  assert.match(href ?? '', /^\/connections\/conn-[0-9a-f]+\/api\/Spaces-1\/packages\/Desk\.App\/versions\/1\.0\.0\/raw$/, 'downloads go through the manager');
  const downloaded = await page.evaluate(async (url) => {
    const digest = await crypto.subtle.digest('SHA-256', await (await fetch(url)).arrayBuffer());
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
  }, href!);
  assert.equal(downloaded, sha);
  await s.shot('library');
}

/** Resolves how long the notification took, and the bound it had to meet (the cluster's offline threshold + 5 s). */
export async function killNode2Notifies(s: Screens): Promise<{ noticedMs: number; boundMs: number }> {
  const { page } = s;
  await page.goto(s.address('#/fleet'));
  const ha = fleetCard(page, 'HA cluster');
  await until(async () => (await ha.getAttribute('data-state')) === 'reachable', 'the card was not reachable before the kill');
  const bound = (await offlineThresholdMs(s.targets)) + 5000;
  const killedAt = Date.now();
  s.targets.cluster.nodes[1]!.child.kill('SIGKILL');
  await until(async () => (await page.getByTestId('unread-count').count()) > 0, 'no notification reached the page', bound);
  const noticedMs = Date.now() - killedAt;
  assert.ok(noticedMs <= bound);
  await until(async () => (await ha.locator('li[data-node="node2"] [data-status]').getAttribute('data-status')) === 'Offline', 'the card does not show node2 Offline', 5000);
  assert.match(await ha.getByTestId('nodes-by-status').innerText(), /1 Offline/);
  assert.deepEqual(await s.osNotifications(), ['node2 is offline (HA cluster)'], 'one OS notification');
  await s.shot('fleet-node-offline');
  await page.getByTestId('notification-bell').first().click();
  const item = page.getByTestId('notification').filter({ hasText: 'node2 is offline' });
  await item.waitFor();
  await s.shot('notifications');
  await item.click();
  await page.getByRole('heading', { name: 'Nodes' }).waitFor({ timeout: 15_000 });
  assert.match(page.url(), /\?connection=conn-[0-9a-f]+#\/nodes$/, "the notification opens the cluster's Nodes page");
  return { noticedMs, boundMs: bound };
}

/** On the Nodes page the notification opened: the offline node2 removed. */
export async function removeOfflineNode2(s: Screens): Promise<void> {
  const row = s.page.locator('tr[data-node="node2"]');
  await row.getByRole('button', { name: 'Remove…' }).click();
  await row.getByRole('button', { name: 'Remove node2' }).click();
  await until(async () => (await row.count()) === 0, 'node2 is still listed');
  assert.equal(await nodeOf(s, 'node2'), undefined, 'the cluster still has node2');
}

export async function balancerStoppedAndBack(s: Screens): Promise<void> {
  const { page, targets } = s;
  await page.goto(s.address('#/fleet'));
  await targets.lb.stop();
  const ha = fleetCard(page, 'HA cluster');
  await until(async () => (await ha.getAttribute('data-state')) === 'unreachable', 'the card never showed unreachable', 20_000);
  assert.match(await ha.getByTestId('card-error').innerText(), /(connection refused|closed the connection)[\s\S]*next try/, 'the words of the failure, and the next try');
  assert.equal(await fleetCard(page, 'Standalone').getAttribute('data-state'), 'reachable');
  await s.shot('fleet-unreachable');
  await targets.restartBalancer();
  await until(async () => (await ha.getAttribute('data-state')) === 'reachable', 'the card never recovered', 30_000);
  await page.getByTestId('notification-bell').first().click();
  await page.getByTestId('notification').filter({ hasText: 'HA cluster is reachable again' }).waitFor({ timeout: 10_000 });
  assert.equal(await page.getByTestId('notification').filter({ hasText: 'HA cluster is unreachable' }).count(), 1, 'one notification for the outage');
  await s.shot('notifications-recovered');
}

/** The keys in none of `texts` (what the page received, its DOM and storage) and in none of the app's `logs`. */
export function assertKeysNowhere(targets: FleetTargets, texts: string, logs: string): void {
  for (const [name, key] of [['cluster', targets.clusterKey], ['standalone', targets.soloKey]] as const) {
    assert.equal(texts.includes(key), false, `the ${name} key reached the page`);
    assert.equal(logs.includes(key), false, `the ${name} key is in the app's logs`);
  }
}
