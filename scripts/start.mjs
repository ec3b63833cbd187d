#!/usr/bin/env node
// `npm start`: the Shoal desktop app when Electron's binary is installed; otherwise the same
// manager in a browser (shoal-manager) with the embedded node inside it, the node on
// http://127.0.0.1:8050 (or $SHOAL_PORT), saying why.
//
// Environment: SHOAL_PORT (the embedded node's port, default 8050), SHOAL_DATA_DIR (its data dir,
// default ~/.shoal), SHOAL_MANAGER_PORT (the manager's port, default any free one),
// SHOAL_MANAGER_DIR (the manager's folder, default ~/.shoal-manager), SHOAL_HEADLESS=1 (the
// browser manager even when Electron is installed), ELECTRON_OVERRIDE_DIST_PATH (Electron's own:
// a folder holding the binary).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_PORT = 8050;

/** The executable's path inside Electron's dist folder, as electron's install.js names it. */
function platformBinaryName(platform = process.platform) {
  if (platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  if (platform === 'win32') return 'electron.exe';
  return 'electron';
}

/**
 * Finds Electron's binary WITHOUT `require('electron')`: since Electron 42 that call downloads the
 * binary when it is missing (electron/index.js runs install.js), which must never happen here.
 * Instead this reads what install.js leaves behind (path.txt naming the executable under dist/),
 * honours ELECTRON_OVERRIDE_DIST_PATH like electron/index.js does, checks that the file exists
 * and is executable, and finally runs it once as Node (ELECTRON_RUN_AS_NODE=1) to prove it
 * starts on this machine (shared libraries present, right architecture).
 *
 * @returns {{ found: true, path: string, version: string } | { found: false, reason: string }}
 */
export function findElectronBinary(env = process.env) {
  let pkgDir;
  try {
    const requireFromApp = createRequire(path.join(root, 'electron', 'package.json'));
    pkgDir = path.dirname(requireFromApp.resolve('electron/package.json'));
  } catch {
    return { found: false, reason: 'the `electron` package is not installed (run `npm install`)' };
  }
  let named;
  try {
    named = fs.readFileSync(path.join(pkgDir, 'path.txt'), 'utf8').trim() || undefined;
  } catch {
    named = undefined;
  }
  let binary;
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    binary = path.join(env.ELECTRON_OVERRIDE_DIST_PATH, named ?? platformBinaryName());
  } else if (named) {
    binary = path.join(pkgDir, 'dist', named);
  } else {
    return { found: false, reason: `the \`electron\` package is installed but its binary was never downloaded (no ${path.join(pkgDir, 'path.txt')})` };
  }
  let stat;
  try {
    stat = fs.statSync(binary);
  } catch {
    return { found: false, reason: `the Electron binary is missing (no ${binary})` };
  }
  if (!stat.isFile()) return { found: false, reason: `${binary} is not a file` };
  if (process.platform !== 'win32') {
    try {
      fs.accessSync(binary, fs.constants.X_OK);
    } catch {
      return { found: false, reason: `${binary} is not executable` };
    }
  }
  const probe = spawnSync(binary, ['-p', 'process.versions.electron'], {
    env: { ...env, ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8',
    timeout: 20_000,
    windowsHide: true,
  });
  const version = probe.stdout?.trim();
  if (probe.error || probe.status !== 0) {
    const why = probe.error?.message ?? (probe.stderr?.trim().split('\n')[0] || `exit code ${probe.status}`);
    return { found: false, reason: `${binary} exists but does not run here (${why})` };
  }
  if (!/^\d+\.\d+\.\d+/.test(version ?? '')) return { found: false, reason: `${binary} runs but is not Electron (it reported no Electron version)` };
  return { found: true, path: binary, version };
}

/** Electron needs a display on Linux; without one the desktop app cannot open a window. */
function displayMissing(env = process.env) {
  return process.platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY;
}

function say(line = '') {
  process.stdout.write(`${line}\n`);
}

function npmCommand(args) {
  // Under `npm start`, npm tells us which npm it is; otherwise use the one on PATH.
  if (process.env.npm_execpath && /\.c?js$/.test(process.env.npm_execpath)) return [process.execPath, [process.env.npm_execpath, ...args]];
  return [process.platform === 'win32' ? 'npm.cmd' : 'npm', args];
}

/** What each workspace's build produces; the order is the root `npm run build` order. */
const BUILT = {
  'server-core': 'server-core/dist/cli/index.js',
  manager: 'manager/dist/cli/main.js',
  renderer: 'renderer/dist/index.html',
  electron: 'electron/dist/main.js',
};

/**
 * Builds the workspaces among `needed` whose output is missing, with the same commands the root
 * `npm run build` runs (`npm run build -w <workspace>`), and only those: a fresh checkout builds
 * everything, a checkout that is already built starts at once.
 */
function buildIfMissing(needed) {
  const missing = needed.filter((ws) => !fs.existsSync(path.join(root, BUILT[ws])));
  if (missing.length === 0) return;
  say(`Shoal: not built yet (${missing.map((ws) => `${ws}/dist`).join(', ')} missing); building first with \`npm run build\` for ${missing.join(', ')}…`);
  for (const ws of missing) {
    const [command, args] = npmCommand(['run', 'build', '-w', ws]);
    const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], shell: process.platform === 'win32' });
    if (result.status !== 0) {
      process.stderr.write(`Shoal: \`npm run build -w ${ws}\` failed (${result.error?.message ?? `exit code ${result.status}`}); fix the build and run \`npm start\` again.\n`);
      process.exit(result.status || 1);
    }
  }
}

/**
 * Runs `command` as the one child of this script: forwards the first SIGINT/SIGTERM/SIGHUP to it
 * and exits with its code. The child gets its own process group (POSIX) so that Ctrl+C in a
 * terminal reaches it once, through us, and not twice (a second SIGINT would kill it mid-stop).
 */
function runChild(command, args) {
  const child = spawn(command, args, {
    cwd: root,
    env: process.env,
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: process.platform !== 'win32',
  });
  let forwarded = false;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (forwarded) return; // npm and the terminal may both deliver the same Ctrl+C
      forwarded = true;
      // The node stops gracefully on SIGINT/SIGTERM only; a closed terminal (SIGHUP) asks for the same.
      child.kill(signal === 'SIGHUP' ? 'SIGTERM' : signal);
    });
  }
  process.on('exit', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  child.on('error', (err) => {
    process.stderr.write(`Shoal: could not start ${command}: ${err.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    process.exit(code ?? 128 + (os.constants.signals[signal] ?? 1));
  });
}

function portFrom(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    process.stderr.write(`Shoal: ${name} must be a port number 0-65535, got "${raw}"\n`);
    process.exit(2);
  }
  return port;
}

/** `why`: the lines explaining why there is no desktop window. */
function startHeadless(why) {
  const port = portFrom('SHOAL_PORT', DEFAULT_PORT);
  const managerPort = portFrom('SHOAL_MANAGER_PORT', 0);
  const dataDir = process.env.SHOAL_DATA_DIR || path.join(os.homedir(), '.shoal');
  for (const line of why) say(`Shoal: ${line}`);
  say('Shoal: starting the Shoal manager in your browser instead (shoal-manager: the desktop app\'s screens), with the embedded node inside it:');
  say(`  manager   the link printed below, with a one-time token${managerPort ? ` (port ${managerPort}, from SHOAL_MANAGER_PORT)` : ' (set SHOAL_MANAGER_PORT for a fixed port)'}`);
  say(`  node      http://127.0.0.1:${port}${port === 0 ? ' (port 0: the manager prints the port it picked)' : ''}: its own portal and API${process.env.SHOAL_PORT ? ' (from SHOAL_PORT)' : ' (set SHOAL_PORT to change)'}`);
  say(`  data dir  ${dataDir}${process.env.SHOAL_DATA_DIR ? ' (from SHOAL_DATA_DIR)' : ' (set SHOAL_DATA_DIR to change)'}`);
  say('  stop      Ctrl+C');
  buildIfMissing(['server-core', 'manager', 'renderer']);
  runChild(process.execPath, [
    path.join(root, 'manager/bin/shoal-manager.js'),
    '--embedded',
    '--node-data-dir', dataDir,
    '--node-port', String(port),
    '--port', String(managerPort),
  ]);
}

function startDesktop(electron) {
  say(`Shoal: starting the desktop app with Electron ${electron.version} (${electron.path}).`);
  buildIfMissing(['server-core', 'manager', 'renderer', 'electron']);
  runChild(electron.path, [path.join(root, 'electron/dist/main.js')]);
}

function main() {
  if (process.env.SHOAL_HEADLESS === '1') return startHeadless(['SHOAL_HEADLESS=1: running without the desktop app.']);
  const electron = findElectronBinary();
  if (!electron.found) {
    return startHeadless([
      `Electron binary not installed: ${electron.reason}.`,
      'That is expected on a server, or in a sandbox where Electron cannot be downloaded. To get the',
      'desktop app on a desktop machine, download it with `node node_modules/electron/install.js` and run `npm start` again.',
    ]);
  }
  if (displayMissing()) {
    return startHeadless([`Electron ${electron.version} is installed, but there is no display (DISPLAY and WAYLAND_DISPLAY are unset) to open its window.`]);
  }
  startDesktop(electron);
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href;
if (invokedDirectly) main();
