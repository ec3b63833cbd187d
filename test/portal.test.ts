/**
 * The web portal in Debian's Chromium against a real node (`shoal run`, task cap 2):
 * log in through the form, queue a script and watch its log arrive live, change the
 * task cap and drain the node from the Nodes page, follow a node's running tasks and
 * cancel one, log out. The browser reaches the node through a small TCP proxy that can
 * cut every connection, to check the live log survives a reconnect without showing a
 * line twice. Assumes `npm run build` ran (server-core and renderer).
 * Screenshots go to test-artifacts/portal/.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ShoalClient } from './helpers/apiClient.js';
import { freshShotsDir, launchChromium, stepWithScreenshot } from './helpers/browser.js';
import { freePort } from './helpers/freePort.js';
import { REPO_ROOT } from './helpers/repo.js';
import { startShoalProcess, type ShoalProcess } from './helpers/shoalProcess.js';
import { getTask, queueScript, taskLog, waitForTaskState, type Task } from './helpers/tasks.js';
import { tempDir } from './helpers/tempDir.js';
import { teardown } from './helpers/teardown.js';
import { waitFor } from '../server-core/src/testing/wait.js';

const SHOTS = path.join(REPO_ROOT, 'test-artifacts/portal');
const NODE_NAME = 'portal-node';
const PASSWORD = 'portal-admin-pw-1';
const TASK_CAP = 2;

interface NodeView {
  name: string;
  status: string;
  taskCap: number;
  drain: boolean;
  runningTasks: number;
}

/** A TCP pass-through to `port` whose connections can all be cut at once. */
async function cuttableProxy(port: number): Promise<{ url: string; cut(): number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    track(client);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    cut() {
      const n = sockets.size;
      for (const s of sockets) s.destroy();
      return n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The stored log's lines, less its final `END <state>` line (the portal does not show it). */
const storedLines = (text: string) => text.split('\n').filter((l) => l && !/^\S+ END {3}\S+$/.test(l));

describe('web portal in Chromium against a real node', { timeout: 180_000 }, () => {
  let node: ShoalProcess;
  let proxy: Awaited<ReturnType<typeof cuttableProxy>>;
  let api: ShoalClient;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  let scriptTask: string;

  const hash = () => new URL(page.url()).hash;
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), animations: 'disabled' });
  const ping = async () => (await fetch(`${node.url}/api/nodes/ping`)).status;
  const portalNode = async () => (await api.get<NodeView[]>('/api/nodes')).find((n) => n.name === NODE_NAME);
  const nodeRow = () => page.locator(`tr[data-node="${NODE_NAME}"]`);
  const logLines = () => page.locator('[data-testid="task-log"] .line .text').allTextContents();
  const until = <T>(fn: () => T | Promise<T>, message: string, timeoutMs = 10_000) => waitFor(fn, { timeoutMs, intervalMs: 50, message });

  /** Runs a step; on failure a screenshot of the page is kept next to the others. */
  const step = stepWithScreenshot(SHOTS, () => page);

  before(async () => {
    freshShotsDir(SHOTS);

    node = await startShoalProcess({
      dataDir: tempDir('shoal-portal-'),
      port: await freePort(),
      nodeName: NODE_NAME,
      taskCap: TASK_CAP,
      env: { SHOAL_ADMIN_PASSWORD: PASSWORD, SHOAL_NODE_NAME: NODE_NAME },
    });
    api = await ShoalClient.login(node.url, 'admin', PASSWORD);
    proxy = await cuttableProxy(node.port);

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await proxy?.close();
    await node?.stop('SIGTERM');
    await teardown();
  });

  step('an anonymous visit lands on the login page, and a wrong password is refused in words', async () => {
    await page.goto(`${proxy.url}/`);
    await until(() => hash() === '#/login', `the portal did not send an anonymous visitor to #/login (at ${page.url()})`);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 10_000 });
    assert.match(await alert.innerText(), /The username or password is wrong\./);
    assert.equal(hash(), '#/login');
    await shot('login-refused');
  });

  step('logging in through the form opens the Dashboard for an administrator, with the user in the header', async () => {
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await until(() => hash() === '#/dashboard', `login did not go to #/dashboard (at ${page.url()})`);
    assert.match(await page.getByTestId('current-user').innerText(), /admin/);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks' }).click();
    await page.getByRole('heading', { name: 'Tasks' }).waitFor({ timeout: 5000 });
  });

  step('a script queued from the form shows its log lines live, before the task ends', async () => {
    await page.getByRole('button', { name: 'Run a script' }).click();
    await page.getByLabel('Script', { exact: true }).fill('for i in 1 2 3; do echo line-$i; sleep 1; done');
    await page.getByLabel('Syntax').selectOption('bash');
    await page.getByLabel('Description').fill('Portal live log');
    await shot('run-script-form');
    await page.getByRole('button', { name: 'Queue script' }).click();

    scriptTask = await until(() => /^#\/tasks\/(ServerTasks-\d+)$/.exec(hash())?.[1], `queuing did not open the task page (at ${page.url()})`);
    assert.equal((await getTask(api, scriptTask)).description, 'Portal live log');

    await until(async () => (await logLines()).includes('line-1'), `line-1 of ${scriptTask} never appeared in the log panel`);
    const atFirstLine = await getTask(api, scriptTask);
    assert.equal(atFirstLine.state, 'Executing', `line-1 should show while the task runs, but the task is already ${atFirstLine.state}`);
    assert.equal(atFirstLine.completedTime, null);
    assert.ok(!(await logLines()).includes('line-3'), 'line-3 was shown before the script could have written it');
    await shot('task-live-log');

    await until(async () => (await page.getByTestId('task-state').locator('[data-state]').getAttribute('data-state')) === 'Success', `the task page did not show ${scriptTask} as Success`, 20_000);
    await until(async () => (await page.locator('[data-log-status]').getAttribute('data-log-status')) === 'ended', 'the log panel did not say the log is complete');
    const shown = await logLines();
    for (const l of ['line-1', 'line-2', 'line-3']) assert.equal(shown.filter((s) => s === l).length, 1, `${l} shown ${shown.filter((s) => s === l).length} times`);
    const stored = storedLines(await taskLog(api, scriptTask));
    assert.equal(shown.length, stored.length, `the panel shows ${shown.length} lines, the stored log has ${stored.length}`);
    assert.equal((await getTask(api, scriptTask)).state, 'Success');
    await shot('task-finished');
  });

  step('when the connection drops mid-task, the log reconnects without showing any line twice', async () => {
    const ticks = await queueScript(api, 'for i in $(seq 1 12); do echo tick-$i; sleep 0.4; done', { description: 'Portal reconnect' });
    await page.goto(`${proxy.url}/#/tasks/${ticks.id}`);
    await until(async () => (await logLines()).includes('tick-3'), `tick-3 of ${ticks.id} never appeared`);
    const logStatus = () => page.locator('[data-log-status]').getAttribute('data-log-status');
    assert.equal(await logStatus(), 'live');

    assert.ok(proxy.cut() > 0, 'there was no connection to cut');
    await until(async () => (await logStatus()) === 'recovering', 'the log panel did not notice the dropped stream');
    assert.equal((await getTask(api, ticks.id)).state, 'Executing', 'the task ended before the reconnect could be seen; make the script longer');
    await until(async () => (await logStatus()) === 'live', 'the log did not reconnect while the task still ran');
    await until(async () => (await logStatus()) === 'ended', 'the log did not end after the reconnect', 20_000);

    const shown = await logLines();
    for (let i = 1; i <= 12; i++) {
      const n = shown.filter((l) => l === `tick-${i}`).length;
      assert.equal(n, 1, `tick-${i} is shown ${n} times after the reconnect`);
    }
    const stored = storedLines(await taskLog(api, ticks.id));
    assert.equal(shown.length, stored.length, `the panel shows ${shown.length} lines, the stored log has ${stored.length}`);
    await shot('task-after-reconnect');
  });

  step('a forged `\\revent: end` line does not end the live view; a long log keeps a bounded window with earlier lines on demand', async () => {
    const script = `printf 'before\\revent: end\\ndata: {"state":"Success"}\\n'; sleep 1; seq 1 6000 | sed 's/^/row-/'; sleep 1; echo after-the-forgery`;
    const forged = await queueScript(api, script, { description: 'Portal forged end' });
    await page.goto(`${proxy.url}/#/tasks/${forged.id}`);
    await until(async () => (await logLines()).includes('after-the-forgery'), 'the line after the forged end never appeared', 30_000);
    await until(async () => (await page.locator('[data-log-status]').getAttribute('data-log-status')) === 'ended', 'the log did not end');
    const shown = await logLines();
    assert.ok(shown.length <= 5000, `the page holds ${shown.length} lines`);
    assert.ok(!shown.includes('row-1'), 'the oldest lines were dropped from the page');
    await shot('task-log-window');
    await page.getByTestId('load-earlier').click();
    await until(async () => (await logLines()).length > shown.length, 'loading earlier lines added nothing');
    const more = await logLines();
    assert.equal(new Set(more).size, more.length, 'no line is shown twice');
    assert.ok(more.includes('event: end'), 'the forged field is shown as a line of text');
    assert.ok(more.includes('row-1'));
    await shot('task-log-earlier');
  });

  step('the Tasks page lists the task with its state and filters by state', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Tasks' }).click();
    const row = page.locator(`tr[data-task-id="${scriptTask}"]`);
    await row.waitFor({ timeout: 10_000 });
    assert.equal(await row.locator('[data-state]').getAttribute('data-state'), 'Success');
    await shot('tasks');

    await page.getByRole('group', { name: 'Filter by state' }).getByRole('button', { name: 'Failed' }).click();
    await until(() => hash() === '#/tasks?state=Failed', `the filter is not in the URL (${hash()})`);
    await until(async () => (await row.count()) === 0, 'the Success task stayed listed under the Failed filter');
    await page.getByRole('group', { name: 'Filter by state' }).getByRole('button', { name: 'All' }).click();
    await until(async () => (await row.count()) === 1, 'the task did not come back under All');
  });

  step('the task cap is edited in place on the Nodes page; a bad value shows the server’s error', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Nodes' }).click();
    await nodeRow().waitFor({ timeout: 10_000 });
    assert.equal(await nodeRow().locator('[data-status]').getAttribute('data-status'), 'Running');
    // The operator is told that what they set here outlives a restart (and when it does not).
    assert.match(await page.getByTestId('node-settings-help').innerText(), /kept when the node restarts.*--task-cap/s);
    const capButton = nodeRow().getByRole('button', { name: /^Task cap of portal-node/ });
    assert.match(await capButton.innerText(), new RegExp(`^\\s*${TASK_CAP}\\s*$`));

    // What the server says about -1, to compare with what the page shows.
    const refused = await api.request('PATCH', `/api/nodes/${NODE_NAME}`, { body: { taskCap: -1 } });
    assert.equal(refused.status, 400);
    await capButton.click();
    const input = nodeRow().getByRole('textbox', { name: `Task cap of ${NODE_NAME}` });
    await input.fill('-1');
    await input.press('Enter');
    const error = nodeRow().getByRole('alert');
    await error.waitFor({ timeout: 5000 });
    assert.equal((await error.innerText()).trim(), refused.body.error.message);
    await shot('nodes-cap-error');
    await input.press('Escape');
    await until(async () => (await input.count()) === 0, 'Escape did not close the cap editor');
    assert.equal((await portalNode())?.taskCap, TASK_CAP, 'a refused or canceled edit changed the cap');

    await capButton.click();
    await input.fill('7');
    await input.press('Enter');
    await until(async () => (await portalNode())?.taskCap === 7, 'GET /api/nodes does not show task cap 7 after editing it on the page');
    await until(async () => /^\s*7\s*$/.test(await capButton.innerText()), 'the Nodes page does not show the new cap');

    // Leaving the field saves too.
    await capButton.click();
    await input.fill('5');
    await page.getByRole('heading', { name: 'Nodes' }).click();
    await until(async () => (await portalNode())?.taskCap === 5, 'leaving the cap field did not save it');
    await until(async () => /^\s*5\s*$/.test(await capButton.innerText()), 'the Nodes page does not show the cap saved on blur');
    await shot('nodes');
  });

  step('the drain switch drains the node (Drained, ping 418) and undrains it (Running, ping 200)', async () => {
    assert.equal(await ping(), 200);
    const drain = nodeRow().getByRole('switch', { name: `Drain ${NODE_NAME}` });
    assert.equal(await drain.getAttribute('aria-checked'), 'false');

    await drain.click();
    await until(async () => ['Drained', 'Draining'].includes((await nodeRow().locator('[data-status]').getAttribute('data-status')) ?? ''), 'the status did not become Drained/Draining');
    await until(async () => (await ping()) === 418, 'GET /api/nodes/ping did not answer 418 for a drained node');
    assert.equal((await portalNode())?.drain, true);
    assert.equal(await drain.getAttribute('aria-checked'), 'true');
    await shot('nodes-drained');

    await drain.click();
    await until(async () => (await nodeRow().locator('[data-status]').getAttribute('data-status')) === 'Running', 'the status did not return to Running');
    await until(async () => (await ping()) === 200, 'GET /api/nodes/ping did not answer 200 again after undraining');
    assert.equal((await portalNode())?.drain, false);
  });

  step('the task queue is paused from the Nodes page and resumed from the Tasks page banner', async () => {
    const queueState = page.getByTestId('queue-state');
    await until(async () => (await queueState.count()) === 1 && (await queueState.innerText()) === 'Running', 'the Nodes page does not show the queue as Running');
    await page.getByRole('button', { name: 'Pause queue' }).click();
    await until(async () => (await api.get<{ paused: boolean }>('/api/configuration/queue')).paused, 'the queue is not paused after clicking Pause queue');
    await until(async () => (await queueState.innerText()) === 'Paused', 'the Nodes page does not show the queue as Paused');

    await page.getByRole('navigation').getByRole('link', { name: 'Tasks' }).click();
    const banner = page.getByTestId('queue-paused');
    await banner.waitFor({ timeout: 10_000 });
    await shot('tasks-queue-paused');
    await banner.getByRole('button', { name: 'Resume queue' }).click();
    await until(async () => !(await api.get<{ paused: boolean }>('/api/configuration/queue')).paused, 'the queue is still paused after Resume queue');
    await until(async () => (await banner.count()) === 0, 'the paused banner stayed after resuming');
    await page.getByRole('navigation').getByRole('link', { name: 'Nodes' }).click();
    await nodeRow().waitFor({ timeout: 10_000 });
  });

  step("the Nodes page counts running tasks live; its link lists them; Cancel stops one", async () => {
    const long: Task = await queueScript(api, 'echo started; sleep 120', { description: 'Portal cancel me' });
    await waitForTaskState(api, long.id, ['Executing']);
    const link = nodeRow().getByRole('link', { name: /running/ });
    await until(async () => /1 running/.test(await link.innerText()), 'the Nodes page did not update the running count on its own');
    await link.click();
    await until(() => hash() === `#/tasks?node=${NODE_NAME}&state=Executing,Cancelling`, `the link went to ${hash()}`);
    const row = page.locator(`tr[data-task-id="${long.id}"]`);
    await row.waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('tr[data-task-id]').count(), 1, 'the filtered list shows tasks that are not running on the node');
    await shot('tasks-running-on-node');

    await row.getByRole('link', { name: long.id }).click();
    await until(async () => (await logLines()).includes('started'), 'the running task’s log did not show');
    await page.getByRole('button', { name: 'Cancel task' }).click();
    await waitForTaskState(api, long.id, ['Canceled'], 20_000);
    await until(async () => (await page.getByTestId('task-state').locator('[data-state]').getAttribute('data-state')) === 'Canceled', 'the task page did not show Canceled');
    await page.getByTestId('task-error').waitFor({ timeout: 5000 });
    await shot('task-canceled');
  });

  step('a session that ends on the server sends the user to log in, and back to the page afterwards', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Nodes' }).click();
    await nodeRow().waitFor({ timeout: 10_000 });
    await page.context().clearCookies(); // what an expired or revoked session looks like to the portal
    await until(() => hash() === '#/login', `a 401 from polling did not send the user to #/login (at ${page.url()})`);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await until(() => hash() === '#/nodes', `after logging in again the portal went to ${hash()}, not back to #/nodes`);
    await nodeRow().waitFor({ timeout: 10_000 });
  });

  step('logging out returns to the login page and ends the session', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await until(() => hash() === '#/login', `logout did not go to #/login (at ${page.url()})`);
    const me = await page.request.get(`${proxy.url}/api/users/me`);
    assert.equal(me.status(), 401, 'the session still works after logging out');
    assert.deepEqual(pageErrors, [], 'the portal threw uncaught errors');
  });
});
