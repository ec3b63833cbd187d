/**
 * The portal's Targets page in Debian's Chromium against a real node: an administrator makes
 * a registration command on the page, the test runs the commands shown (installing the agent the
 * node serves, a real `shoal-agent register`, then `shoal-agent run`; only /opt is swapped for
 * a folder of the test), and the page shows the target turn Healthy
 * on its own, with its details and health checks; the commands for a Windows machine when the
 * node serves its agent too; filters, disable and enable; a Viewer is offered no register,
 * disable or delete. Assumes `npm run build` ran.
 * Screenshots go to test-artifacts/portal-targets/.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ShoalClient } from '../helpers/apiClient.js';
import { startAgent } from '../helpers/agents.js';
import { freshShotsDir, launchChromium, logInToPortal, stepWithScreenshot } from '../helpers/browser.js';
import { SPACE } from '../helpers/deployments.js';
import { freePort } from '../helpers/freePort.js';
import { REPO_ROOT } from '../helpers/repo.js';
import { startShoalProcess, type ShoalProcess } from '../helpers/shoalProcess.js';
import { teardown } from '../helpers/teardown.js';
import { tempDir } from '../helpers/tempDir.js';

const SHOTS = path.join(REPO_ROOT, 'test-artifacts/portal-targets');
const HOST_PLATFORM = `${process.platform}-${process.arch}`;

/**
 * The agents the node serves: this build's (agent/bundle), and a Windows one listed beside it
 * (its archive only stands in: the page shows commands, the test does not run them on Windows).
 */
function bundlesWithWindows(dir: string): string {
  const out = path.join(dir, 'bundles');
  fs.cpSync(path.join(REPO_ROOT, 'agent/bundle'), out, { recursive: true });
  const index = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
  const host = index.bundles.find((b: { platform: string }) => b.platform === HOST_PLATFORM);
  fs.writeFileSync(path.join(out, 'shoal-agent-win32-x64.tar.gz'), 'stand-in');
  index.bundles.push({ ...host, platform: 'win32-x64', archive: 'shoal-agent-win32-x64.tar.gz', size: 8, sha256: 'c'.repeat(64) });
  fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify(index));
  return out;
}

/** Runs `command` in bash with a `shoal-agent` on the PATH that is this repository's agent, its data in `dataDir`. */
/** The folder the test's commands install into, for the /opt they name. */
const installParent = (dir: string) => path.join(dir, 'opt');
/** The launcher of the agent the install command unpacked. */
const installedAgent = (dir: string) => path.join(installParent(dir), 'shoal-agent', 'shoal-agent');

/** Runs a command as shown, with /opt swapped for a folder of the test (and `sudo` as a no-op: the tests run as root). */
function runInShell(command: string, dir: string, dataDir: string): Promise<{ code: number; output: string }> {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.mkdirSync(installParent(dir), { recursive: true });
  fs.writeFileSync(path.join(bin, 'sudo'), '#!/bin/sh\nexec "$@"\n', { mode: 0o755 });
  const env = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && !k.startsWith('SHOAL_'))) as Record<string, string>;
  return new Promise((resolve) =>
    execFile('bash', ['-c', command.replaceAll(' /opt', ` ${installParent(dir)}`).replace(/^\/opt\//, `${installParent(dir)}/`)], { env: { ...env, PATH: `${bin}:${env.PATH}`, SHOAL_AGENT_DATA_DIR: dataDir }, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, output: stdout + stderr }),
    ),
  );
}

describe('the Targets page of the portal in Chromium', { timeout: 240_000 }, () => {
  let node: ShoalProcess;
  let admin: ShoalClient;
  let browser: Browser;
  let page: Page;
  let dir: string;
  const pageErrors: string[] = [];

  const shot = (p: Page, name: string) => p.screenshot({ path: path.join(SHOTS, `${name}.png`), animations: 'disabled' });
  const step = stepWithScreenshot(SHOTS, () => page);
  const row = (name: string) => page.locator(`tr[data-target="${name}"]`);

  const logIn = (p: Page, username: string, password: string) => logInToPortal(p, `${node.url}/`, username, password);

  before(async () => {
    freshShotsDir(SHOTS);
    dir = tempDir('shoal-portal-targets-');
    node = await startShoalProcess({ dataDir: path.join(dir, 'node'), nodeName: 'portal-targets', env: { SHOAL_AGENT_BUNDLE_DIR: bundlesWithWindows(dir) } });
    admin = await ShoalClient.login(node.url, 'admin', node.adminPassword);
    for (const name of ['Dev', 'Prod']) await admin.post(`${SPACE}/environments`, { name });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await logIn(page, 'admin', node.adminPassword);
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await node?.stop('SIGTERM');
    await teardown();
  });

  step('an administrator makes a registration command on the page; run as shown, it registers an agent that the page then shows Healthy', async () => {
    await page.locator('header').getByRole('link', { name: 'Environments' }).click();
    await page.getByRole('navigation', { name: 'Environments section' }).getByRole('link', { name: 'Targets' }).click();
    await page.getByRole('heading', { name: 'Targets' }).waitFor();
    await page.getByText('No targets yet.').waitFor();
    await shot(page, 'targets-empty');

    await page.getByRole('button', { name: 'Register a target' }).click();
    const form = page.getByRole('form', { name: 'Register a target' });
    await form.getByRole('button', { name: 'Create registration command' }).click();
    await form.getByRole('alert').filter({ hasText: 'Tick at least one environment' }).waitFor();
    await form.getByLabel('Dev').check();
    await form.getByLabel(/Roles/).fill('web, api');
    await form.getByLabel(/Target name/).fill('portal web 1');
    await form.getByRole('button', { name: 'Create registration command' }).click();
    const code = form.getByTestId('register-command').getByTestId('copyable-code');
    await code.waitFor();
    const command = (await code.textContent())!;
    assert.match(command, new RegExp(`^/opt/shoal-agent/shoal-agent register --server ${node.url} --token \\S+ --name 'portal web 1' --environment Dev --role web --role api$`));
    const installBox = form.getByTestId('install-command');
    assert.equal(await installBox.getByLabel('Machine').inputValue(), HOST_PLATFORM, "the node's own platform first");
    const install = (await installBox.getByTestId('copyable-code').textContent())!;
    assert.equal(install, `curl -fsSL '${node.url}/api/agent/download?platform=${HOST_PLATFORM}' | sudo tar -xz -C /opt`);
    await form.getByText(/expires in/).waitFor();
    await form.getByText(/with its own Node runtime/).waitFor();
    await shot(page, 'targets-register-command');

    const installed = await runInShell(install, dir, '');
    assert.equal(installed.code, 0, installed.output);
    const dataDir = path.join(dir, 'agent');
    const registered = await runInShell(command, dir, dataDir);
    assert.equal(registered.code, 0, registered.output);
    const agent = startAgent(dataDir, [], [installedAgent(dir)]);
    await row('portal web 1').locator('[data-status="Healthy"]').waitFor({ timeout: 60_000 });
    assert.match((await row('portal web 1').textContent())!, /Dev.*web.*api.*Polling/s);
    await form.getByRole('button', { name: 'Close' }).click();
    await shot(page, 'targets-healthy');

    await row('portal web 1').getByRole('button', { name: 'Details of portal web 1' }).click();
    const details = page.getByTestId('target-details');
    await details.locator('[data-health-check] [data-state="Success"]').first().waitFor({ timeout: 30_000 });
    assert.match((await details.textContent())!, /Healthy: \d+ MiB free/);
    await shot(page, 'targets-details');
    assert.ok(agent.child.exitCode === null, agent.output());
  });

  step('for a Windows machine the panel shows PowerShell commands that fetch the Windows agent', async () => {
    await page.getByRole('button', { name: 'Register a target' }).click();
    const form = page.getByRole('form', { name: 'Register a target' });
    await form.getByLabel('Dev').check();
    await form.getByLabel(/Roles/).fill('web');
    await form.getByRole('button', { name: 'Create registration command' }).click();
    await form.getByTestId('install-command').getByLabel('Machine').selectOption({ label: 'Windows x64' });
    await form.getByText('Run the commands in PowerShell as Administrator.').waitFor();
    const install = (await form.getByTestId('install-command').getByTestId('copyable-code').textContent())!;
    assert.equal(install, `Invoke-WebRequest -UseBasicParsing '${node.url}/api/agent/download?platform=win32-x64' -OutFile "$env:TEMP\\shoal-agent.tar.gz"; if ($?) { tar -xzf "$env:TEMP\\shoal-agent.tar.gz" -C "$env:ProgramFiles" }`);
    const command = (await form.getByTestId('register-command').getByTestId('copyable-code').textContent())!;
    assert.match(command, new RegExp(`^& "\\$env:ProgramFiles\\\\shoal-agent\\\\runtime\\\\node\\.exe" "\\$env:ProgramFiles\\\\shoal-agent\\\\lib\\\\shoal-agent\\.mjs" register --server ${node.url} --token \\S+ --name \\$env:COMPUTERNAME --environment Dev --role web$`));
    // What the install command fetches is the Windows archive the node lists.
    const fetched = await fetch(`${node.url}/api/agent/download?platform=win32-x64`);
    assert.equal(await fetched.text(), 'stand-in');
    await shot(page, 'targets-register-windows');
    await form.getByRole('button', { name: 'Close' }).click();
    assert.deepEqual(pageErrors, []);
  });

  step('filters by environment and role; disable and enable', async () => {
    await page.getByLabel('Filter by environment').selectOption({ label: 'Prod' });
    await page.getByText('No target matches the filters.').waitFor();
    await page.getByLabel('Filter by environment').selectOption({ label: 'Dev' });
    await page.getByLabel('Filter by role').selectOption('api');
    await row('portal web 1').waitFor();
    await page.getByLabel('Filter by role').selectOption('');
    await page.getByLabel('Filter by environment').selectOption('');

    await row('portal web 1').getByRole('button', { name: 'Disable' }).click();
    await row('portal web 1').getByText('disabled', { exact: true }).waitFor();
    const [t] = await admin.get<{ isDisabled: boolean }[]>(`${SPACE}/targets`);
    assert.equal(t!.isDisabled, true);
    await shot(page, 'targets-disabled');
    await row('portal web 1').getByRole('button', { name: 'Enable' }).click();
    await row('portal web 1').getByRole('button', { name: 'Disable' }).waitFor();
    assert.deepEqual(pageErrors, []);
  });

  step("the panel offers a listening agent's command; run as shown (with --public-url, as its hint says), the node dials the agent and the page shows it Healthy", async () => {
    const port = await freePort();
    await page.getByRole('button', { name: 'Register a target' }).click();
    const form = page.getByRole('form', { name: 'Register a target' });
    await form.getByLabel('Dev').check();
    await form.getByLabel(/Roles/).fill('web');
    await form.getByLabel(/Target name/).fill('portal listening');
    await form.getByLabel(/Listening/).check();
    await form.getByLabel(/Listen port/).fill(String(port));
    await form.getByRole('button', { name: 'Create registration command' }).click();
    const command = (await form.getByTestId('register-command').getByTestId('copyable-code').textContent())!;
    assert.match(command, new RegExp(`--name 'portal listening' --environment Dev --role web --mode listening --listen-port ${port}$`));
    await shot(page, 'targets-register-listening');
    const dataDir = path.join(dir, 'listening-agent');
    const registered = await runInShell(`${command} --public-url https://127.0.0.1:${port}`, dir, dataDir);
    assert.equal(registered.code, 0, registered.output);
    startAgent(dataDir, [], [installedAgent(dir)]);
    await row('portal listening').locator('[data-status="Healthy"]').waitFor({ timeout: 120_000 });
    assert.match((await row('portal listening').textContent())!, /Listening/);
    await form.getByRole('button', { name: 'Close' }).click();
    await row('portal listening').getByRole('button', { name: 'Details of portal listening' }).click();
    await page.getByTestId('target-details').getByText(`https://127.0.0.1:${port}`).waitFor();
    await shot(page, 'targets-listening-healthy');
    assert.deepEqual(pageErrors, []);
  });

  step('a Viewer sees the targets but no register, disable or delete', async () => {
    const teams = await admin.get<{ id: string; name: string }[]>('/api/teams');
    await admin.post('/api/users', { username: 'vera', password: 'vera-password-1', teamIds: [teams.find((t) => t.name === 'Viewers')!.id] });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const viewer = await context.newPage();
    await logIn(viewer, 'vera', 'vera-password-1');
    await viewer.goto(`${node.url}/#/targets`);
    await viewer.locator('tr[data-target="portal web 1"] [data-status="Healthy"]').waitFor();
    assert.equal(await viewer.getByRole('button', { name: /Register a target|Disable|Enable|Delete/ }).count(), 0, 'a Viewer is offered to change targets');
    await shot(viewer, 'targets-as-viewer');
    await context.close();
  });
});
