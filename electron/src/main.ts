/**
 * Main process of the Shoal desktop app: the manager core (connections, keys in the OS keychain,
 * fleet health, notifications) wired to windows.
 *
 * - Screens: the renderer's files from the app:// protocol, and each connection's API through the
 *   same protocol (`app://shoal/connections/<id>/api/…`): the key is added here, the certificate
 *   pinned, responses streamed. The renderer holds no secret.
 * - The bridge over IPC (bridgeIpc.ts), OS notifications, a tray icon.
 * - The embedded node in a utility process (data in <userData>/data, 127.0.0.1, free port), its
 *   master key in the OS keychain where there is one; on quit it is stopped gracefully.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, clipboard, dialog, protocol } from 'electron';
import {
  APP_PAGE,
  APP_SCHEME,
  appProtocolHandler,
  bridgeHandlers,
  ManagerCore,
  PortalFiles,
  proxyBase,
  type AttachedNode,
  type FleetNotification,
} from '@shoal/manager/desktop';
import { AppWindows } from './appWindows.js';
import { broadcastEvent, sendEvent, serveBridge } from './bridgeIpc.js';
import { EmbeddedNodeHost } from './nodeHost.js';
import { showFleetNotifications } from './osNotifications.js';
import { createTray } from './tray.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Longer than the node's own stop (it ends running tasks, closes HTTP and the database). */
const STOP_TIMEOUT_MS = 15_000;
/** First start migrates a new database; later starts take well under a second. */
const START_TIMEOUT_MS = 60_000;

// Before `ready`: app:// is a standard, secure origin whose responses may stream (live logs, uploads).
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }]);
app.enableSandbox();
app.setName('Shoal');
// `--user-data-dir=<dir>` moves everything (Chromium profile, connections, the node's data): tests, second profiles.
const userDataSwitch = app.commandLine.getSwitchValue('user-data-dir');
if (userDataSwitch) app.setPath('userData', path.resolve(userDataSwitch));

const resource = (packaged: string, repo: string) => (app.isPackaged ? path.join(process.resourcesPath, packaged) : path.resolve(here, repo));

/** Known causes of a failed start, with what to do about them. */
function explainStartFailure(message: string): string {
  if (/NODE_MODULE_VERSION|compiled against a different Node\.js version/.test(message)) {
    return `${message}\n\nbetter-sqlite3 is built for Node.js, not for this Electron. Rebuild it for Electron with\n  npx electron-builder install-app-deps\n(and \`npm rebuild better-sqlite3\` to use it with Node.js again). Packaged builds are rebuilt by electron-builder.`;
  }
  return message;
}

async function showGeneratedPassword(password: string): Promise<void> {
  const { response } = await dialog.showMessageBox({
    type: 'info',
    title: 'Shoal administrator',
    message: 'Shoal created the administrator of this computer\'s node.',
    detail: `Username: admin\nPassword: ${password}\n\nThe app itself needs no password; this one is for the node's web portal and the API. It is shown only once. Keep it somewhere safe.`,
    buttons: ['Copy password', 'Close'],
    defaultId: 0,
    cancelId: 1,
    noLink: true,
  });
  if (response === 0) clipboard.writeText(password);
}

/** The embedded node: started, restarted on a cluster after a move to HA (same port), stopped on quit. */
class EmbeddedNode {
  #host: EmbeddedNodeHost | undefined;
  #node: AttachedNode | undefined;
  #expectedExit = false;

  constructor(
    private readonly core: ManagerCore,
    private readonly onCrash: (message: string) => void,
  ) {}

  get running(): boolean {
    return this.#host?.running ?? false;
  }

  async start(port?: number): Promise<AttachedNode> {
    const keychain = this.core.embeddedKeychain();
    const host = new EmbeddedNodeHost({
      entry: path.join(here, 'embeddedNode.js'),
      node: {
        dataDir: path.join(app.getPath('userData'), 'data'),
        portalDir: resource('portal', '../../renderer/dist'),
        agentBundleDir: resource('agent', '../../agent/bundle'),
        adminPassword: process.env.SHOAL_ADMIN_PASSWORD || undefined,
        port,
        keychainService: keychain.service,
        noKeychain: keychain.problem ?? undefined,
        apiKey: await this.core.keptEmbeddedKey(),
      },
      onAdminCreated: (password) => {
        if (password) void app.whenReady().then(() => showGeneratedPassword(password));
      },
    });
    this.#host = host;
    this.#expectedExit = false;
    let timer: NodeJS.Timeout | undefined;
    try {
      this.#node = await Promise.race([
        host.ready,
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the node did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS))),
      ]);
    } finally {
      clearTimeout(timer);
    }
    void host.exited.then((exit) => {
      if (!exit.requested && !this.#expectedExit && host === this.#host) this.onCrash(`The embedded node stopped unexpectedly (exit code ${exit.code}).${exit.error ? `\n\n${exit.error}` : ''}`);
    });
    console.log(`Shoal: embedded node ${this.#node.nodeName} running at ${this.#node.url} (data: ${this.#node.dataDir}; master key: ${this.#node.masterKey.where})`);
    return this.#node;
  }

  /** After the move to HA: the same node again, now on the cluster's database, on the same port. */
  async restart(): Promise<AttachedNode> {
    const port = this.#node ? Number(new URL(this.#node.url).port) : undefined;
    await this.stop('The embedded node restarts on the cluster database.');
    return this.start(port);
  }

  async stop(reason: string): Promise<void> {
    this.#expectedExit = true;
    const result = await this.#host?.stop(reason, STOP_TIMEOUT_MS);
    if (result === 'killed') console.error(`Shoal: the node did not stop within ${STOP_TIMEOUT_MS / 1000} s; it was killed.`);
    if (result === 'failed') console.error('Shoal: the node reported an error while stopping.');
  }
}

function run(): void {
  const windows = new AppWindows(path.join(here, 'preload.cjs'));
  let core: ManagerCore | undefined;
  let embedded: EmbeddedNode | undefined;
  let quit: 'no' | 'stopping' | 'ready' = 'no';

  app.on('second-instance', () => windows.front());
  // The manager keeps watching from the tray with no window open; Quit (tray, menu, Cmd+Q) ends it.
  app.on('window-all-closed', () => {});
  app.on('activate', () => windows.front());

  app.on('before-quit', (event) => {
    if (quit === 'ready') return;
    event.preventDefault();
    if (quit === 'stopping') return;
    quit = 'stopping';
    void (async () => {
      await embedded?.stop('The Shoal desktop app quit while the task was running.');
      await core?.close();
    })().finally(() => {
      quit = 'ready';
      app.quit();
    });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  void app.whenReady().then(async () => {
    windows.lockDown();
    const portal = new PortalFiles(resource('portal', '../../renderer/dist'));
    if (!portal.built) dialog.showErrorBox('Shoal screens missing', `The screens are not built (no ${path.join(portal.dir, 'index.html')}).\nRun \`npm run build\` in the repository.`);
    const opened = (core = await ManagerCore.open({ dataDir: path.join(app.getPath('userData'), 'manager') }));
    protocol.handle(APP_SCHEME, appProtocolHandler(opened, portal));

    const node = (embedded = new EmbeddedNode(opened, (message) => {
      dialog.showErrorBox('Shoal node stopped', `${message}\n\nThe other clusters are still watched; restart Shoal to run this computer's node again.`);
    }));
    serveBridge(bridgeHandlers(opened, { kind: 'electron', apiBase: proxyBase, restartEmbedded: () => node.restart() }));
    opened.subscribe(broadcastEvent);

    /** A clicked notification: its screen in the window in front. */
    const openScreen = (screen: FleetNotification['screen']) => sendEvent(windows.front().webContents, { event: 'screen:open', payload: screen });
    showFleetNotifications(opened, openScreen);
    const icon = path.resolve(here, '../assets/tray.png');
    if (fs.existsSync(icon)) {
      const tray = createTray(icon, {
        openFleet: () => windows.open(`${APP_PAGE}#/fleet`),
        openNotifications: () => windows.open(`${APP_PAGE}#/notifications`),
        quit: () => app.quit(),
        unread: () => opened.notifications.list().filter((n) => !n.read).length,
      });
      opened.subscribe((e) => e.event === 'notification' && tray.refresh());
    }

    windows.open();
    try {
      await opened.attachEmbeddedNode(await node.start());
    } catch (err) {
      if (quit !== 'no') return; // quitting while starting: nothing to report
      dialog.showErrorBox('Shoal could not start this computer\'s node', `${explainStartFailure((err as Error).message)}\n\nThe manager runs without it.`);
      await node.stop('Start failed.');
    }
  });
}

// One instance per profile: two would run two nodes on one SQLite database.
if (app.requestSingleInstanceLock()) run();
else app.quit();
