/**
 * Main process of the Shoal desktop app.
 *
 * Starts the embedded node in a utility process (data in <userData>/data, 127.0.0.1, free port),
 * opens the portal it serves in a sandboxed window, shows a generated admin password once,
 * and on quit stops the node gracefully before the app exits.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, clipboard, dialog } from 'electron';
import type { NodeInfo } from './ipc.js';
import { registerIpcHandlers } from './ipcMain.js';
import { EmbeddedNodeHost, type ReadyNode } from './nodeHost.js';
import { createPortalWindow, isFromOrigin } from './window.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Longer than the node's own stop (it ends running tasks, closes HTTP and the database). */
const STOP_TIMEOUT_MS = 15_000;
/** First start migrates a new database; later starts take well under a second. */
const START_TIMEOUT_MS = 60_000;

app.setName('Shoal');
// `--user-data-dir=<dir>` moves everything (Chromium profile and the node's data): tests, second profiles.
const userDataSwitch = app.commandLine.getSwitchValue('user-data-dir');
if (userDataSwitch) app.setPath('userData', path.resolve(userDataSwitch));

function portalDir(): string {
  return app.isPackaged ? path.join(process.resourcesPath, 'portal') : path.resolve(here, '../../renderer/dist');
}

/** Known causes of a failed start, with what to do about them. */
function explainStartFailure(message: string): string {
  if (/NODE_MODULE_VERSION|compiled against a different Node\.js version/.test(message)) {
    return `${message}\n\nbetter-sqlite3 is built for Node.js, not for this Electron. Rebuild it for Electron with\n  npx @electron/rebuild -f -w better-sqlite3\n(and \`npm rebuild better-sqlite3\` to use it with Node.js again). Packaged builds are rebuilt by electron-builder.`;
  }
  return message;
}

async function showGeneratedPassword(win: BrowserWindow, password: string): Promise<void> {
  const { response } = await dialog.showMessageBox(win, {
    type: 'info',
    title: 'Shoal administrator',
    message: 'Shoal created the administrator account.',
    detail: `Username: admin\nPassword: ${password}\n\nThis password is shown only once. Keep it somewhere safe.`,
    buttons: ['Copy password', 'Close'],
    defaultId: 0,
    cancelId: 1,
    noLink: true,
  });
  if (response === 0) clipboard.writeText(password);
}

function run(): void {
  let host: EmbeddedNodeHost | undefined;
  let node: NodeInfo | undefined;
  let win: BrowserWindow | undefined;
  let generatedPassword: string | undefined;
  let quit: 'no' | 'stopping' | 'ready' = 'no';

  const openWindow = (): void => {
    if (!node) return;
    win = createPortalWindow({ url: node.url, preload: path.join(here, 'preload.cjs') });
    win.on('closed', () => (win = undefined));
  };

  app.on('second-instance', () => {
    if (!win) return openWindow();
    if (win.isMinimized()) win.restore();
    win.focus();
  });

  // macOS keeps the app (and its node) running with no window until Cmd+Q; elsewhere closing the window quits.
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (!win && quit === 'no') openWindow();
  });

  app.on('before-quit', (event) => {
    if (quit === 'ready' || !host?.running) return;
    event.preventDefault();
    if (quit === 'stopping') return;
    quit = 'stopping';
    void host
      .stop('The Shoal desktop app quit while the task was running.', STOP_TIMEOUT_MS)
      .then((result) => {
        if (result === 'killed') console.error(`Shoal: the node did not stop within ${STOP_TIMEOUT_MS / 1000} s; it was killed.`);
        if (result === 'failed') console.error('Shoal: the node reported an error while stopping.');
      })
      .finally(() => {
        quit = 'ready';
        app.quit();
      });
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  void app.whenReady().then(async () => {
    const dataDir = path.join(app.getPath('userData'), 'data');
    const portal = portalDir();
    if (!fs.existsSync(path.join(portal, 'index.html'))) {
      dialog.showErrorBox('Shoal portal missing', `The web portal is not built (no ${path.join(portal, 'index.html')}).\nRun \`npm run build\` in the repository. The node starts anyway, with its API only.`);
    }
    host = new EmbeddedNodeHost({
      entry: path.join(here, 'embeddedNode.js'),
      node: { dataDir, portalDir: portal, adminPassword: process.env.SHOAL_ADMIN_PASSWORD || undefined },
      onAdminCreated: (password) => {
        if (password) generatedPassword = password;
      },
    });

    let timer: NodeJS.Timeout | undefined;
    let ready: ReadyNode;
    try {
      ready = await Promise.race([
        host.ready,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`the node did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
        }),
      ]);
      node = { url: ready.url, dataDir: ready.dataDir };
    } catch (err) {
      if (quit !== 'no') return; // quitting while starting: nothing to report
      dialog.showErrorBox('Shoal could not start', `The embedded node did not start:\n\n${explainStartFailure((err as Error).message)}`);
      await host.stop('Start failed.', STOP_TIMEOUT_MS);
      app.exit(1);
      return;
    } finally {
      clearTimeout(timer);
    }
    if (quit !== 'no') return;
    console.log(`Shoal: embedded node ${ready.nodeName} running at ${node.url} (data: ${node.dataDir})`);

    const current = node;
    registerIpcHandlers(
      {
        'node:info': () => current,
        'app:info': () => ({ version: app.getVersion(), electronVersion: process.versions.electron, platform: process.platform }),
      },
      (frameUrl) => isFromOrigin(frameUrl, current.url),
    );

    void host.exited.then((exit) => {
      if (exit.requested) return;
      dialog.showErrorBox('Shoal node stopped', `The embedded node stopped unexpectedly (exit code ${exit.code}).${exit.error ? `\n\n${exit.error}` : ''}\n\nShoal will close.`);
      app.quit();
    });

    openWindow();
    if (generatedPassword && win) {
      const password = generatedPassword;
      generatedPassword = undefined;
      const target = win;
      target.once('ready-to-show', () => void showGeneratedPassword(target, password));
    }
  });
}

// One instance per profile: two would run two nodes on one SQLite database.
if (app.requestSingleInstanceLock()) run();
else app.quit();
