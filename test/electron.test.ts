/**
 * The desktop shell from outside: `npm start` (scripts/start.mjs) without the Electron binary
 * (shoal-manager with the embedded node), the utility-process entry of the embedded node, the
 * packaging config (fuses, the SQLite driver rebuilt at packaging time only), and the Electron
 * app itself when its binary is installed: its window's lock-down and the same flows as
 * shoal-manager in Chromium (test/manager/fleetScreens.ts).
 *
 * Run: node --test --import tsx test/electron.test.ts  (npm run build first).
 *
 * Never imports `electron` and never calls `require('electron')`: since Electron 42 that
 * downloads the binary when it is missing.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { parse as parseYaml } from 'yaml';
import type { MainToNode, NodeToMain } from '../electron/src/nodeMessages.js';
import { startSecretService } from '../server-core/src/testing/secretService.js';
import { freePort } from './helpers/freePort.js';
import { startFleetTargets, type FleetTargets } from './helpers/fleetTargets.js';
import { REPO_ROOT } from './helpers/repo.js';
import { onTeardown, teardown, trackChild } from './helpers/teardown.js';
import { tempDir } from './helpers/tempDir.js';
import { waitFor } from '../server-core/src/testing/wait.js';
import * as flows from './manager/fleetScreens.js';

after(() => teardown());

type ElectronBinary = { found: true; path: string; version: string } | { found: false; reason: string };
const START_SCRIPT = path.join(REPO_ROOT, 'scripts/start.mjs');
const { findElectronBinary } = (await import(pathToFileURL(START_SCRIPT).href)) as {
  findElectronBinary: (env?: NodeJS.ProcessEnv) => ElectronBinary;
};
const electron = findElectronBinary();

/** The runner's environment without SHOAL_* settings, so each test states its own. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SHOAL_') && k !== 'ELECTRON_RUN_AS_NODE') env[k] = v;
  return { ...env, SHOAL_LOG_LEVEL: 'warn', ...extra };
}

async function ping(base: string): Promise<number> {
  const res = await fetch(`${base}/api/nodes/ping`);
  await res.body?.cancel();
  return res.status;
}

test('npm start without the Electron binary starts shoal-manager with the embedded node, says so, and stops cleanly on SIGTERM', { timeout: 240_000 }, async () => {
  const dataDir = tempDir('shoal-start-');
  const port = await freePort();
  const extra: Record<string, string> = {
    SHOAL_DATA_DIR: dataDir,
    SHOAL_PORT: String(port),
    SHOAL_MANAGER_DIR: tempDir('shoal-start-manager-'),
    SHOAL_ADMIN_PASSWORD: 'start-test-admin-pw',
  };
  // Where the binary is installed, hide it the way Electron itself allows (an empty dist folder),
  // so this test always takes the no-binary path. Here it is simply absent.
  if (electron.found) extra.ELECTRON_OVERRIDE_DIST_PATH = tempDir('shoal-no-electron-');

  const child = spawn(process.execPath, [START_SCRIPT], { cwd: REPO_ROOT, env: cleanEnv(extra), stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const url = `http://127.0.0.1:${port}`;
  const link = await waitFor(() => (child.exitCode !== null ? 'exited' : /(http:\/\/127\.0\.0\.1:\d+)\/#token=([\w-]+)/.exec(out)), {
    timeoutMs: 200_000,
    message: 'the manager printed no link',
  });
  assert.notEqual(link, 'exited', `start.mjs exited early:\n${out}\n${err}`);
  const [, managerUrl, token] = link as RegExpExecArray;

  assert.match(out, /Electron binary not installed: .+/, 'says why there is no desktop app');
  assert.match(out, /expected on a server, or in a sandbox/);
  assert.match(out, /starting the Shoal manager in your browser instead \(shoal-manager/, 'says what it does instead');
  assert.ok(out.includes(`node      ${url}`), `prints the node's URL ${url}:\n${out}`);
  assert.ok(out.includes(`data dir  ${dataDir}`), 'prints the data dir from SHOAL_DATA_DIR');
  assert.ok(out.includes(`is running at ${url} `), `the embedded node runs at SHOAL_PORT:\n${out}`);
  assert.ok(out.indexOf('Electron binary not installed') < out.indexOf('is running at'), 'explains before the node starts');
  assert.equal(await ping(url), 200);
  assert.ok(fs.existsSync(path.join(dataDir, 'shoal.db')), 'the node keeps its data in SHOAL_DATA_DIR');

  // The link opens the manager, whose fleet has the embedded node, reachable through the proxy.
  const page = await fetch(`${managerUrl}/`);
  assert.match(await page.text(), /<meta name="shoal-host" content="manager">/);
  const session = await fetch(`${managerUrl}/session`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-shoal-request': '1' }, body: JSON.stringify({ token }) });
  assert.equal(session.status, 204);
  const cookie = session.headers.getSetCookie()[0]!.split(';')[0]!;
  const list = await fetch(`${managerUrl}/bridge/invoke/connections:list`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', 'x-shoal-request': '1' }, body: '[]' });
  const [embedded] = ((await list.json()) as { result: { id: string; url: string; hasKey: boolean }[] }).result;
  assert.deepEqual({ id: embedded?.id, url: embedded?.url, hasKey: embedded?.hasKey }, { id: 'embedded', url, hasKey: true });
  const me = await fetch(`${managerUrl}/connections/embedded/api/users/me`, { headers: { cookie } });
  assert.equal(((await me.json()) as { username: string }).username, 'admin');

  child.kill('SIGTERM');
  const exit = await exited;
  assert.deepEqual(exit, { code: 0, signal: null }, `clean exit expected:\n${out}\n${err}`);
  assert.match(out, /Shoal manager: SIGTERM received; stopping \(the embedded node ends its running tasks first\)/);
  assert.match(out, /Shoal manager: stopped\./);
  await assert.rejects(ping(url), 'nothing listens after the stop');
});

test('start.mjs refuses a bad SHOAL_PORT with one clear line and exit code 2', async () => {
  const extra: Record<string, string> = { SHOAL_PORT: 'eighty', SHOAL_HEADLESS: '1', SHOAL_DATA_DIR: tempDir('shoal-start-') };
  const child = spawn(process.execPath, [START_SCRIPT], { cwd: REPO_ROOT, env: cleanEnv(extra), stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 2);
  assert.equal(err.trim(), 'Shoal: SHOAL_PORT must be a port number 0-65535, got "eighty"');
});

/**
 * The utility-process entry (electron/src/embeddedNode.ts) run under plain Node with a stand-in
 * for Electron's `process.parentPort` that relays over Node's IPC channel. This checks the
 * protocol and the node's start and graceful stop; it does not check Electron's utilityProcess.
 */
function runEmbeddedEntry(): { send(m: MainToNode): void; next(type: NodeToMain['type'], timeoutMs?: number): Promise<NodeToMain>; seen: NodeToMain[]; exited: Promise<number | null> } {
  const shim = [
    "import { EventEmitter } from 'node:events';",
    'const port = new EventEmitter();',
    'port.postMessage = (m) => process.send(m);',
    'process.parentPort = port;',
    "process.on('message', (m) => port.emit('message', { data: m }));",
    `await import(${JSON.stringify(pathToFileURL(path.join(REPO_ROOT, 'electron/src/embeddedNode.ts')).href)});`,
  ].join('\n');
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', shim], {
    cwd: REPO_ROOT,
    env: cleanEnv({}),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  trackChild(child);
  const seen: NodeToMain[] = [];
  child.on('message', (m) => seen.push(m as NodeToMain));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let cursor = 0;
  return {
    seen,
    exited,
    send: (m) => child.send(m),
    /** The next message of `type` after the last one returned; fails when the entry exits first. */
    async next(type, timeoutMs = 60_000) {
      const found = await waitFor(
        () => {
          const i = seen.findIndex((m, idx) => idx >= cursor && m.type === type);
          if (i >= 0) {
            cursor = i + 1;
            return seen[i];
          }
          if (child.exitCode !== null) throw new Error(`the entry exited (code ${child.exitCode})`);
          return undefined;
        },
        { timeoutMs, message: `no "${type}" message from the embedded node (got ${JSON.stringify(seen)})` },
      );
      return found;
    },
  };
}

test('embedded node entry: alive → start → admin once → ready with the manager\'s key, reused on the next start → graceful stop', { timeout: 120_000 }, async () => {
  const dataDir = tempDir('shoal-embedded-');
  const portalDir = path.join(REPO_ROOT, 'renderer/dist');
  const options = { dataDir, portalDir, keychainService: null, noKeychain: 'the test runs without a keychain' };

  const first = runEmbeddedEntry();
  await first.next('alive');
  first.send({ type: 'start', options });
  const admin = await first.next('admin-created');
  assert.ok(admin.type === 'admin-created' && typeof admin.password === 'string' && admin.password.length >= 12, 'first start reports a generated password');
  const ready = await first.next('ready');
  assert.ok(ready.type === 'ready');
  const { node } = ready;
  assert.match(node.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.notEqual(new URL(node.url).port, '8050', 'a free port, not the headless default');
  assert.equal(node.dataDir, dataDir);
  assert.equal(node.shared, false);
  assert.deepEqual(node.masterKey, { where: 'file', note: `The master key stays in ${dataDir}/master.key: the test runs without a keychain.` });
  assert.equal(await ping(node.url), 200);
  const me = await fetch(`${node.url}/api/users/me`, { headers: { 'x-api-key': node.apiKey } });
  assert.equal(me.status, 200, 'the manager\'s key works');
  first.send({ type: 'stop', reason: 'test stop' });
  await first.next('stopped');
  assert.equal(await first.exited, 0);
  await assert.rejects(ping(node.url), 'nothing listens after the stop');

  // Second start on the same data: no new admin (no password dialog), and the kept key is reused.
  const second = runEmbeddedEntry();
  await second.next('alive');
  second.send({ type: 'start', options: { ...options, apiKey: node.apiKey } });
  const again = await second.next('ready');
  assert.equal(second.seen.filter((m) => m.type === 'admin-created').length, 0, 'the admin is created, and its password shown, only once');
  assert.equal(again.type === 'ready' && again.node.apiKey, node.apiKey, 'the kept key is reused, not piled up');
  second.send({ type: 'stop', reason: 'test stop' });
  await second.next('stopped');
  assert.equal(await second.exited, 0);
});

test('embedded node entry reports a failed start to main instead of dying silently', { timeout: 60_000 }, async () => {
  const blocker = path.join(tempDir('shoal-embedded-'), 'not-a-folder');
  fs.writeFileSync(blocker, 'a file where the data folder should be');
  const entry = runEmbeddedEntry();
  await entry.next('alive');
  entry.send({ type: 'start', options: { dataDir: blocker, keychainService: null } });
  const failed = await entry.next('failed');
  assert.ok(failed.type === 'failed' && failed.message.length > 0);
  assert.equal(await entry.exited, 1);
});

test('packaging: the release build sets the fuses, the test build only keeps the inspector, and the SQLite driver is rebuilt for Electron at packaging time only', () => {
  const release = parseYaml(fs.readFileSync(path.join(REPO_ROOT, 'build/electron-builder.yml'), 'utf8')) as { electronFuses: Record<string, boolean>; npmRebuild: boolean; asar: boolean };
  assert.deepEqual(release.electronFuses, {
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    enableCookieEncryption: true,
    loadBrowserProcessSpecificV8Snapshot: false,
    grantFileProtocolExtraPrivileges: false,
  });
  assert.equal(release.asar, true);
  const variant = parseYaml(fs.readFileSync(path.join(REPO_ROOT, 'build/electron-builder.test.yml'), 'utf8')) as { extends: string; electronFuses: Record<string, boolean> };
  assert.equal(variant.extends, 'build/electron-builder.yml');
  assert.deepEqual(variant.electronFuses, { ...release.electronFuses, enableNodeCliInspectArguments: true }, 'the test build differs in the inspector only');

  // Rebuilt by install-app-deps in the packaging script, never by an install.
  const rootPackage = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; workspaces: string[] };
  assert.match(rootPackage.scripts['package:desktop']!, /electron-builder@26 install-app-deps/);
  for (const dir of ['.', ...rootPackage.workspaces]) {
    const scripts = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, dir, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) {
      assert.doesNotMatch(scripts[hook] ?? '', /install-app-deps|electron-rebuild|@electron\/rebuild/, `${dir}/package.json "${hook}" rebuilds for Electron at install time`);
    }
  }
  assert.equal(release.npmRebuild, false, 'electron-builder does not rebuild a second time');
});

const noDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const desktopSkip = !electron.found
  ? 'Electron binary not installed; the desktop app launch is not verified here'
  : noDisplay
    ? `Electron ${electron.version} is installed but there is no display; run the tests under xvfb-run to verify the desktop app launch`
    : false;

/** Launches the desktop app on a fresh profile, its keychain a private GNOME Keyring. */
async function launchDesktop(): Promise<{ app: ElectronApplication; win: Page; userData: string }> {
  assert.ok(electron.found);
  for (const built of ['server-core/dist/index.js', 'manager/dist/desktop/index.js', 'renderer/dist/index.html', 'electron/dist/main.js', 'electron/dist/preload.cjs']) {
    assert.ok(fs.existsSync(path.join(REPO_ROOT, built)), `${built} is missing; run \`npm run build\` first`);
  }
  const keyring = await startSecretService();
  onTeardown(() => keyring.stop());
  const userData = tempDir('shoal-desktop-');
  const app = await _electron.launch({
    // Always the path found above: without executablePath Playwright would require('electron'), which downloads.
    executablePath: electron.path,
    args: [path.join(REPO_ROOT, 'electron/dist/main.js'), `--user-data-dir=${userData}`],
    env: cleanEnv({ SHOAL_ADMIN_PASSWORD: 'desktop-test-admin-pw', DBUS_SESSION_BUS_ADDRESS: keyring.busAddress }) as Record<string, string>,
    timeout: 90_000,
  });
  onTeardown(() => app.close().catch(() => {}));
  const win = await app.firstWindow({ timeout: 90_000 });
  await win.setViewportSize({ width: 1280, height: 800 });
  return { app, win, userData };
}

describe('desktop app (Electron)', { skip: desktopSkip, timeout: 420_000 }, () => {
  it('opens the fleet from app:// in a locked-down window, with this computer\'s node; quitting stops the node', async () => {
    const { app, win, userData } = await launchDesktop();
    await win.waitForURL(/^app:\/\/shoal\/index\.html#\/fleet$/, { timeout: 30_000 });
    const thisComputer = flows.fleetCard(win, 'This computer');
    await waitFor(async () => (await thisComputer.getAttribute('data-state')) === 'reachable', { timeoutMs: 60_000, message: 'the embedded node never showed reachable' });

    // The renderer: no Node, sandboxed, the bridge and nothing else; the CSP in force.
    assert.equal(await win.evaluate(() => typeof (globalThis as { require?: unknown }).require), 'undefined', 'no nodeIntegration');
    assert.equal(await win.evaluate(() => typeof (globalThis as { process?: unknown }).process), 'undefined', 'sandboxed, context-isolated page');
    assert.deepEqual(await win.evaluate(() => Object.keys((window as unknown as { shoal: object }).shoal).sort()), ['invoke', 'on']);
    const blocked = await win.evaluate(() => fetch('https://example.invalid/').then(() => 'fetched', (e: Error) => e.message));
    assert.notEqual(blocked, 'fetched', 'connect-src keeps the page to the app');
    // Permissions are denied, navigation away and foreign windows are refused.
    assert.equal(await win.evaluate(() => Notification.requestPermission()), 'denied');
    assert.equal(await win.evaluate(() => navigator.permissions.query({ name: 'geolocation' }).then((p) => p.state)), 'denied');
    // (file: URLs, which the app never hands to the OS: an http one would open the user's browser.)
    await win.evaluate(() => window.open('file:///etc/hostname', '_blank'));
    await win.evaluate(() => location.assign('file:///etc/hostname'));
    await new Promise((r) => setTimeout(r, 1000));
    assert.match(win.url(), /^app:\/\/shoal\//, 'the window stays in the app');
    assert.equal(app.windows().length, 1, 'no window for another site');

    // The embedded node's master key went to the keychain; its key is in nothing the window sees.
    const info = await win.evaluate(() => (window as unknown as { shoal: { invoke(c: string): Promise<{ embeddedNode: { url: string; masterKey: { where: string } } }> } }).shoal.invoke('app:info'));
    assert.equal(info.embeddedNode.masterKey.where, 'keychain');
    assert.equal(fs.existsSync(path.join(userData, 'data', 'master.key')), false, 'the key file was removed');
    assert.equal(await ping(info.embeddedNode.url), 200);

    await app.close();
    await assert.rejects(ping(info.embeddedNode.url), 'the embedded node stopped with the app');
  });

  describe('the same flows as shoal-manager in a browser', () => {
    const SHOTS = path.join(REPO_ROOT, 'test-artifacts/desktop');
    let targets: FleetTargets;
    let app: ElectronApplication;
    let screens: flows.Screens;
    const work = tempDir('shoal-desktop-flows-');

    it('adds the cluster and the standalone node, and the fleet shows both', async () => {
      fs.mkdirSync(SHOTS, { recursive: true });
      targets = await startFleetTargets(work);
      const launched = await launchDesktop();
      app = launched.app;
      // The OS notifications main shows, recorded on their way out.
      await app.evaluate(({ Notification }) => {
        const shown: string[] = [];
        (globalThis as unknown as { shown: string[] }).shown = shown;
        const show = Notification.prototype.show;
        Notification.prototype.show = function (this: InstanceType<typeof Notification>) {
          shown.push(this.title);
          return show.call(this);
        };
      });
      screens = {
        page: launched.win,
        targets,
        work,
        address: (suffix) => `app://shoal/index.html${suffix}`,
        shot: (name) => launched.win.screenshot({ path: path.join(SHOTS, `${name}.png`) }).then(() => {}),
        osNotifications: () => app.evaluate(() => (globalThis as unknown as { shown: string[] }).shown),
      };
      await flows.addBothThroughTheForm(screens);
      await flows.fleetShowsBoth(screens);
    });
    it("edits a task cap and pauses the queue on the cluster's Nodes page", () => flows.nodesPageThroughTheManager(screens));
    it("runs node2's maintenance with HAProxy's view and the ping at each stage", () => flows.maintenanceOfNode2(screens));
    it('streams a live task log through the main process', () => flows.liveLogThroughTheManager(screens));
    it('uploads to and downloads from the library through the main process', () => flows.libraryThroughTheManager(screens));
    it('kill -9 of node2: an OS notification within the offline threshold plus 5 s', async () => {
      const { noticedMs, boundMs } = await flows.killNode2Notifies(screens);
      process.stderr.write(`desktop: kill -9 → notification ${noticedMs} ms (bound ${boundMs} ms)\n`);
    });
    it('removes the offline node2', () => flows.removeOfflineNode2(screens));
    it('HAProxy stopped and started again: unreachable, then recovered', () => flows.balancerStoppedAndBack(screens));
  });
});
