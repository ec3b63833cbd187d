/**
 * Move to HA from the manager, with the master key in a real OS keychain (GNOME Keyring in a
 * private D-Bus session): shoal-manager --embedded moves the embedded node's key from its file
 * into the keychain at start; the node's migration to PostgreSQL runs; in Chromium, the wizard's
 * last step restarts the node on the cluster (node 1, same port, behind HAProxy) and adds the
 * cluster as a connection on its own key; the node reads its key from the keychain throughout
 * (and the join command carries it); started again, the manager finds the node a cluster node
 * and shows that cluster once.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { OsKeychain } from '../../server-core/src/secrets/osKeychain.js';
import { secretServiceMissing, startSecretService } from '../../server-core/src/testing/secretService.js';
import { startThrowawayPostgres } from '../../server-core/src/testing/throwawayPostgres.js';
import { launchChromium, stepWithScreenshot } from '../helpers/browser.js';
import { freePort } from '../helpers/freePort.js';
import { startHaproxy, type Haproxy } from '../helpers/haproxy.js';
import { REPO_ROOT } from '../helpers/repo.js';
import { startShoalManager, type ShoalManagerProcess } from '../helpers/shoalManagerProcess.js';
import { onTeardown, teardown } from '../helpers/teardown.js';
import { tempDir } from '../helpers/tempDir.js';
import { waitFor } from '../../server-core/src/testing/wait.js';
import { fleetCard } from './fleetScreens.js';

const SHOTS = path.join(REPO_ROOT, 'test-artifacts/manager-ha');
const CLUSTER = 'HA from the desktop';

describe('Move to HA from the manager, the master key in the OS keychain', { skip: secretServiceMissing(), timeout: 300_000 }, () => {
  const work = tempDir('shoal-manager-ha-');
  const nodeDir = path.join(work, 'node');
  const managerDir = path.join(work, 'manager');
  let busAddress: string;
  let nodePort: number;
  let targetUrl: string;
  let lb: Haproxy;
  let manager: ShoalManagerProcess;
  let browser: Browser;
  let page: Page;
  const step = stepWithScreenshot(SHOTS, () => page);
  const start = () => startShoalManager(['--embedded', '--node-port', String(nodePort), '--node-data-dir', nodeDir, '--data-dir', managerDir, '--interval-ms', '1000'], {
    DBUS_SESSION_BUS_ADDRESS: busAddress,
    SHOAL_ADMIN_PASSWORD: 'ha-desktop-admin-pw',
  });
  const bridge = async <T>(channel: string, ...args: unknown[]): Promise<T> =>
    ((await (await page.request.post(`${manager.url}/bridge/invoke/${channel}`, { headers: { 'x-shoal-request': '1' }, data: args })).json()) as { result: T }).result;
  const embeddedApi = (method: 'GET' | 'POST' | 'PATCH', p: string, data?: unknown) =>
    page.request.fetch(`${manager.url}/connections/embedded/api${p}`, { method, headers: { 'x-shoal-request': '1' }, data });
  const keyOfNode = () => new OsKeychain('Shoal Manager').get(`master key of ${nodeDir}`);

  before(async () => {
    fs.rmSync(SHOTS, { recursive: true, force: true });
    fs.mkdirSync(SHOTS, { recursive: true });
    const keyring = await startSecretService();
    onTeardown(() => keyring.stop());
    busAddress = keyring.busAddress;
    process.env.DBUS_SESSION_BUS_ADDRESS = busAddress;
    const pg = await startThrowawayPostgres();
    onTeardown(() => pg.destroy());
    targetUrl = await pg.createDatabase();
    nodePort = await freePort();
    manager = await start();
    lb = await startHaproxy(work, await freePort(), [{ name: 'node1', port: nodePort }]);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  });
  after(async () => {
    await browser?.close();
    await teardown();
  });

  step("at start the embedded node's master key moves from its file into the keychain, and the node reads it there", async () => {
    assert.match(manager.output(), new RegExp(`embedded node \\S+ is running at http://127\\.0\\.0\\.1:${nodePort} \\(data: ${nodeDir}; master key in the OS keychain\\)`));
    assert.equal(fs.existsSync(path.join(nodeDir, 'master.key')), false);
    const config = JSON.parse(fs.readFileSync(path.join(nodeDir, 'shoal.config.json'), 'utf8')) as { masterKeyKeychain: unknown };
    assert.deepEqual(config.masterKeyKeychain, { service: 'Shoal Manager', account: `master key of ${nodeDir}` });
    assert.match((await keyOfNode()) ?? '', /^[A-Za-z0-9+/]{43}=$/);
  });

  step('the node moves to PostgreSQL; the wizard\'s last step restarts it on the cluster and adds the cluster', async () => {
    await page.goto(manager.link);
    await waitFor(async () => (await fleetCard(page, 'This computer').getAttribute('data-state')) === 'reachable', { message: 'This computer never showed reachable' });
    const info = await bridge<{ embeddedNode: { nodeName: string } }>('app:info');
    assert.equal((await embeddedApi('PATCH', `/nodes/${info.embeddedNode.nodeName}`, { drain: true })).status(), 200);
    const started = await embeddedApi('POST', '/migration/start', { targetUrl, storageRoot: tempDir('shoal-manager-ha-shared-') });
    assert.equal(started.status(), 202, await started.text());
    const result = await waitFor(
      async () => {
        const status = (await (await embeddedApi('GET', '/migration')).json()) as { state: string; error: string | null; result: { joinCommand: string } | null };
        if (status.state === 'failed') throw new Error(status.error ?? 'failed');
        return status.state === 'succeeded' ? status.result : undefined;
      },
      { timeoutMs: 60_000, message: 'the migration did not finish' },
    );
    assert.ok(result.joinCommand.includes(`--master-key '${await keyOfNode()}'`), 'the join command carries the key read from the keychain');

    await page.goto(`${manager.url}/?connection=embedded#/move-to-ha`);
    const join = page.getByTestId('join-cluster');
    await join.waitFor({ timeout: 15_000 });
    await join.getByLabel('Name of the cluster').fill(CLUSTER);
    await join.getByLabel('Load balancer URL').fill(lb.url);
    await page.screenshot({ path: path.join(SHOTS, 'move-to-ha-join.png'), fullPage: true });
    await join.getByRole('button', { name: 'Restart and add the cluster' }).click();
    await page.waitForURL(/#\/fleet\?focus=conn-[0-9a-f]+$/, { timeout: 60_000 });
    const card = fleetCard(page, CLUSTER);
    await waitFor(async () => (await card.getAttribute('data-state')) === 'reachable', { timeoutMs: 30_000, message: 'the new cluster never showed reachable' });
    assert.match(await card.getByTestId('nodes-by-status').innerText(), /^1 Running$/);
    await page.screenshot({ path: path.join(SHOTS, 'fleet-after-join.png'), fullPage: true });

    const connections = await bridge<{ id: string; name: string; url: string; hasKey: boolean }[]>('connections:list');
    assert.deepEqual(connections.map((c) => [c.name, c.url, c.hasKey]), [[CLUSTER, lb.url, true]], 'the cluster, and no separate "This computer"');
    const after = await bridge<{ embeddedNode: { shared: boolean; url: string } }>('app:info');
    assert.deepEqual(after.embeddedNode, { ...after.embeddedNode, shared: true, url: `http://127.0.0.1:${nodePort}` });
    const config = JSON.parse(fs.readFileSync(path.join(nodeDir, 'shoal.config.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(config.databaseUrl, targetUrl);
    assert.equal(config.port, nodePort, 'node 1 keeps the port its balancer knows');
    assert.deepEqual(config.masterKeyKeychain, { service: 'Shoal Manager', account: `master key of ${nodeDir}` }, 'the key stays in the keychain');
  });

  step('started again, the manager runs the node as a node of that cluster and shows the cluster once', async () => {
    manager.child.kill('SIGTERM');
    await new Promise((r) => manager.child.once('exit', r));
    manager = await start();
    assert.match(manager.output(), new RegExp(`is running at http://127\\.0\\.0\\.1:${nodePort} .*master key in the OS keychain; a node of a cluster`));
    await page.goto(manager.link);
    const card = fleetCard(page, CLUSTER);
    await waitFor(async () => (await card.getAttribute('data-state')) === 'reachable', { timeoutMs: 30_000, message: 'the cluster never showed reachable' });
    assert.equal(await page.getByTestId('fleet-card').count(), 1);
    assert.match(await page.locator('.embedded').innerText(), /This app also runs node \S+ of a cluster/);
    await page.screenshot({ path: path.join(SHOTS, 'fleet-after-restart.png'), fullPage: true });
  });
});
