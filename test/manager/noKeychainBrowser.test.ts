/**
 * shoal-manager where there is no OS keychain (a server, a Linux desktop without a Secret
 * Service), in Debian's Chromium against a standalone node: the fleet says so and offers the two
 * fallbacks; the user creates a passphrase-encrypted file and adds the node through the form; the
 * file holds no key in clear. After a restart the same screen asks to unlock the file: the card
 * says it has no key, a wrong passphrase is refused in words, the right one brings the key back
 * and the card reachable, without the key being typed again. Screenshots: test-artifacts/manager-no-keychain/.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ShoalClient } from '../helpers/apiClient.js';
import { launchChromium, stepWithScreenshot } from '../helpers/browser.js';
import { REPO_ROOT } from '../helpers/repo.js';
import { startShoalManager, type ShoalManagerProcess } from '../helpers/shoalManagerProcess.js';
import { startShoalProcess, type ShoalProcess } from '../helpers/shoalProcess.js';
import { teardown } from '../helpers/teardown.js';
import { tempDir } from '../helpers/tempDir.js';
import { waitFor } from '../../server-core/src/testing/wait.js';
import { fleetCard } from './fleetScreens.js';

const SHOTS = path.join(REPO_ROOT, 'test-artifacts/manager-no-keychain');
const PASSPHRASE = 'correct horse battery staple';
/** A D-Bus session address with nothing behind it: no Secret Service, as on a server. */
const NO_KEYCHAIN = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/shoal-no-keychain-bus' };

describe('shoal-manager without an OS keychain, in Chromium: the passphrase-encrypted file', { timeout: 240_000 }, () => {
  let solo: ShoalProcess;
  let soloKey: string;
  let manager: ShoalManagerProcess;
  let browser: Browser;
  let page: Page;
  const work = tempDir('shoal-manager-no-keychain-');
  const managerDir = path.join(work, 'manager');
  const pageErrors: string[] = [];
  const step = stepWithScreenshot(SHOTS, () => page);
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  const until = (fn: () => Promise<boolean>, message: string) => waitFor(fn, { timeoutMs: 15_000, intervalMs: 100, message });
  const startManager = () => startShoalManager(['--data-dir', managerDir, '--interval-ms', '1000'], NO_KEYCHAIN);

  before(async () => {
    fs.rmSync(SHOTS, { recursive: true, force: true });
    fs.mkdirSync(SHOTS, { recursive: true });
    solo = await startShoalProcess({ dataDir: path.join(work, 'solo'), nodeName: 'solo' });
    soloKey = await (await ShoalClient.login(solo.url, 'admin', solo.adminPassword)).createApiKey('manager-no-keychain');
    manager = await startManager();
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });
  after(async () => {
    await browser?.close();
    await teardown();
  });

  step('the fleet says there is no keychain and offers the session or an encrypted file', async () => {
    await page.goto(manager.link);
    const choice = page.getByTestId('secrets-choice');
    await choice.waitFor({ timeout: 15_000 });
    assert.match(await choice.innerText(), /There is no OS keychain here \(.+\)\. Nothing is stored until you choose\./);
    assert.ok(await choice.getByRole('button', { name: 'This session only' }).isVisible());
    assert.ok(await choice.getByRole('button', { name: 'Create' }).isVisible(), 'no file yet: the form creates one');
    await shot('no-keychain-choice');
  });

  step('a passphrase creates the encrypted file; the node added through the form is reachable', async () => {
    const choice = page.getByTestId('secrets-choice');
    await choice.locator('input[type=password]').fill(PASSPHRASE);
    await choice.getByRole('button', { name: 'Create' }).click();
    await until(async () => (await choice.count()) === 0, 'the choice stayed after the file was created');

    await page.getByRole('link', { name: 'Add a cluster' }).first().click();
    const form = page.getByTestId('connection-form');
    await form.locator('input[name=name]').fill('Standalone');
    await form.locator('input[name=url]').fill(solo.url);
    await form.locator('input[name=apiKey]').fill(soloKey);
    await form.getByRole('button', { name: 'Add', exact: true }).click();
    await page.locator('tr[data-connection]').filter({ hasText: 'Standalone' }).waitFor();
    await page.getByRole('navigation', { name: 'Manager' }).getByRole('link', { name: 'Fleet' }).click();
    await until(async () => (await fleetCard(page, 'Standalone').getAttribute('data-state')) === 'reachable', 'the node never showed reachable');

    const file = fs.readFileSync(path.join(managerDir, 'secrets.enc.json'), 'utf8');
    assert.equal(file.includes(soloKey), false, 'the key is in the file in clear');
    assert.equal(fs.readFileSync(path.join(managerDir, 'connections.json'), 'utf8').includes(soloKey), false);
    await shot('no-keychain-file-created');
  });

  step('after a restart the fleet asks to unlock the file, and the card has no key until then', async () => {
    manager.child.kill('SIGTERM');
    await new Promise((resolve) => manager.child.once('exit', resolve));
    manager = await startManager();
    await page.goto(manager.link);
    const choice = page.getByTestId('secrets-choice');
    await choice.waitFor({ timeout: 15_000 });
    assert.ok(await choice.getByRole('button', { name: 'Unlock' }).isVisible(), 'the file exists: the form unlocks it');
    assert.match(await fleetCard(page, 'Standalone').innerText(), /No API key is stored for this connection/);
    await until(async () => (await page.getByTestId('fleet-summary').innerText()) === '1 cluster: 0 reachable, 1 without an API key', 'a locked key is counted as an outage');
    await shot('no-keychain-locked');
  });

  step('a wrong passphrase is refused in words; the right one brings the key back and the card reachable', async () => {
    const choice = page.getByTestId('secrets-choice');
    await choice.locator('input[type=password]').fill('not the passphrase');
    await choice.getByRole('button', { name: 'Unlock' }).click();
    const error = choice.getByRole('alert');
    await error.waitFor();
    assert.match(await error.innerText(), /passphrase/i);
    await shot('no-keychain-wrong-passphrase');

    await choice.locator('input[type=password]').fill(PASSPHRASE);
    await choice.getByRole('button', { name: 'Unlock' }).click();
    await until(async () => (await choice.count()) === 0, 'the choice stayed after the file was unlocked');
    const card = fleetCard(page, 'Standalone');
    await until(async () => (await card.getAttribute('data-state')) === 'reachable', 'the card never became reachable with the unlocked key');
    await until(async () => !/No API key is stored/.test(await card.innerText()), 'the card still says it has no key');
    assert.match(await card.innerText(), /solo/);
    assert.equal(await page.getByTestId('fleet-summary').innerText(), '1 cluster: 1 reachable');
    await shot('no-keychain-unlocked');
    assert.equal(manager.output().includes(soloKey), false, "the key is in the manager's output");
    assert.deepEqual(pageErrors, []);
  });
});
