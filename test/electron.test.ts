/**
 * The desktop shell from outside: `npm start` (scripts/start.mjs), the utility-process entry of
 * the embedded node, and the Electron app itself when its binary is installed.
 *
 * Run: node --test --import tsx test/electron.test.ts  (server-core must be built; the
 * renderer is built by start.mjs when missing).
 *
 * Never imports `electron` and never calls `require('electron')`: since Electron 42 that
 * downloads the binary when it is missing.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { _electron } from 'playwright-core';
import type { NodeInfo, ShoalBridge } from '../electron/src/ipc.js';
import type { MainToNode, NodeToMain } from '../electron/src/nodeMessages.js';
import { freePort } from './helpers/freePort.js';
import { REPO_ROOT } from './helpers/repo.js';
import { onTeardown, teardown, trackChild } from './helpers/teardown.js';
import { tempDir } from './helpers/tempDir.js';
import { waitFor } from '../server-core/src/testing/wait.js';

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

test('npm start without the Electron binary runs the node headless, says why, and stops cleanly on SIGTERM', { timeout: 240_000 }, async () => {
  const dataDir = tempDir('shoal-start-');
  const port = await freePort();
  const extra: Record<string, string> = { SHOAL_DATA_DIR: dataDir, SHOAL_PORT: String(port), SHOAL_ADMIN_PASSWORD: 'start-test-admin-pw' };
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
  await waitFor(() => out.includes(`is running at ${url}`) || child.exitCode !== null, {
    timeoutMs: 200_000,
    message: 'the headless node did not report that it runs',
  });
  assert.equal(child.exitCode, null, `start.mjs exited early:\n${out}\n${err}`);

  assert.match(out, /Electron binary not installed: .+/, 'says why there is no desktop app');
  assert.match(out, /expected on a server, or in a sandbox/);
  assert.match(out, /starting the embedded Shoal node headless instead/, 'says what it does instead');
  assert.ok(out.includes(`portal    ${url}`), `prints the portal URL ${url}:\n${out}`);
  assert.ok(out.includes(`data dir  ${dataDir}`), 'prints the data dir from SHOAL_DATA_DIR');
  assert.ok(out.indexOf('Electron binary not installed') < out.indexOf('is running at'), 'explains before the node starts');

  assert.equal(await ping(url), 200);
  assert.ok(fs.existsSync(path.join(dataDir, 'shoal.db')), 'the node keeps its data in SHOAL_DATA_DIR');

  child.kill('SIGTERM');
  const exit = await exited;
  assert.deepEqual(exit, { code: 0, signal: null }, `clean exit expected:\n${out}\n${err}`);
  assert.match(out, /Received SIGTERM; stopping node/);
  assert.match(out, /Stopped\./);
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

test('embedded node entry: alive → start → admin once → ready on 127.0.0.1 → graceful stop', { timeout: 120_000 }, async () => {
  const dataDir = tempDir('shoal-embedded-');
  const portalDir = path.join(REPO_ROOT, 'renderer/dist');
  const hasPortal = fs.existsSync(path.join(portalDir, 'index.html'));

  const first = runEmbeddedEntry();
  await first.next('alive');
  first.send({ type: 'start', options: { dataDir, portalDir } });
  const admin = await first.next('admin-created');
  assert.ok(admin.type === 'admin-created' && typeof admin.password === 'string' && admin.password.length >= 12, 'first start reports a generated password');
  const ready = await first.next('ready');
  assert.ok(ready.type === 'ready');
  assert.match(ready.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.notEqual(new URL(ready.url).port, '8050', 'a free port, not the headless default');
  assert.equal(ready.dataDir, dataDir);
  assert.equal(await ping(ready.url), 200);
  if (hasPortal) {
    const res = await fetch(`${ready.url}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    await res.body?.cancel();
  }
  first.send({ type: 'stop', reason: 'test stop' });
  await first.next('stopped');
  assert.equal(await first.exited, 0);
  await assert.rejects(ping(ready.url), 'nothing listens after the stop');

  // Second start on the same data: no new admin, so the desktop app shows no password dialog.
  const second = runEmbeddedEntry();
  await second.next('alive');
  second.send({ type: 'start', options: { dataDir, portalDir } });
  await second.next('ready');
  assert.equal(second.seen.filter((m) => m.type === 'admin-created').length, 0, 'the admin is created, and its password shown, only once');
  second.send({ type: 'stop', reason: 'test stop' });
  await second.next('stopped');
  assert.equal(await second.exited, 0);
});

test('embedded node entry reports a failed start to main instead of dying silently', { timeout: 60_000 }, async () => {
  const blocker = path.join(tempDir('shoal-embedded-'), 'not-a-folder');
  fs.writeFileSync(blocker, 'a file where the data folder should be');
  const entry = runEmbeddedEntry();
  await entry.next('alive');
  entry.send({ type: 'start', options: { dataDir: blocker } });
  const failed = await entry.next('failed');
  assert.ok(failed.type === 'failed' && failed.message.length > 0);
  assert.equal(await entry.exited, 1);
});

const noDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const desktopSkip = !electron.found
  ? 'Electron binary not installed; the desktop app launch is not verified here'
  : noDisplay
    ? `Electron ${electron.version} is installed but there is no display; run the tests under xvfb-run to verify the desktop app launch`
    : false;

test('desktop app: the window opens on the embedded node and shows the portal login page', { skip: desktopSkip, timeout: 180_000 }, async () => {
  assert.ok(electron.found);
  for (const built of ['server-core/dist/index.js', 'renderer/dist/index.html', 'electron/dist/main.js', 'electron/dist/preload.cjs']) {
    assert.ok(fs.existsSync(path.join(REPO_ROOT, built)), `${built} is missing; run \`npm run build\` first`);
  }
  const userData = tempDir('shoal-desktop-');
  const app = await _electron.launch({
    // Always the path found above: without executablePath Playwright would require('electron'), which downloads.
    executablePath: electron.path,
    args: [path.join(REPO_ROOT, 'electron/dist/main.js'), `--user-data-dir=${userData}`],
    env: cleanEnv({ SHOAL_ADMIN_PASSWORD: 'desktop-test-admin-pw' }) as Record<string, string>,
    timeout: 90_000,
  });
  let closed = false;
  onTeardown(async () => {
    if (!closed) await app.close().catch(() => {});
  });

  const win = await app.firstWindow({ timeout: 90_000 });
  await win.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\//, { timeout: 90_000 });
  await win.getByRole('heading', { name: 'Log in' }).waitFor({ state: 'visible', timeout: 30_000 });
  await win.locator('input[type="password"]').waitFor({ state: 'visible' });

  // The preload bridge answers over the typed IPC contract; Node stays out of the page.
  const info = await win.evaluate(() => (window as unknown as { shoal: ShoalBridge }).shoal.invoke('node:info'));
  const nodeInfo: NodeInfo = info;
  assert.equal(new URL(nodeInfo.url).origin, new URL(win.url()).origin);
  assert.equal(nodeInfo.dataDir, path.join(userData, 'data'));
  assert.equal(await win.evaluate(() => typeof (globalThis as { require?: unknown }).require), 'undefined', 'no nodeIntegration');
  assert.equal(await win.evaluate(() => typeof (globalThis as { process?: unknown }).process), 'undefined', 'sandboxed, context-isolated page');
  assert.equal(await ping(nodeInfo.url), 200);

  // Quitting stops the node gracefully (before-quit → stop message → utility process exits).
  await app.close();
  closed = true;
  await assert.rejects(ping(nodeInfo.url), 'the embedded node stopped with the app');
});
