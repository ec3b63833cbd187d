/**
 * The app's windows and what keeps them to the app: every window shows the screens from the
 * app:// protocol in a sandboxed, context-isolated renderer without Node; it navigates only
 * within the app (other links open in the user's browser); a window the page opens for the app
 * (a cluster in a new window) gets the same settings; no webview; every permission is denied.
 */
import { app, BrowserWindow, session, shell, type BrowserWindowConstructorOptions, type WebContents } from 'electron';
import { APP_PAGE, isAppUrl } from '@shoal/manager/desktop';

function openOutside(url: string): void {
  if (/^https?:\/\//i.test(url)) void shell.openExternal(url);
}

export class AppWindows {
  constructor(private readonly preload: string) {}

  options(): BrowserWindowConstructorOptions {
    return {
      title: 'Shoal',
      width: 1280,
      height: 832,
      minWidth: 900,
      minHeight: 560,
      show: false,
      webPreferences: {
        preload: this.preload,
        contextIsolation: true,
        nodeIntegration: false,
        nodeIntegrationInSubFrames: false,
        sandbox: true,
        webviewTag: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        spellcheck: false,
      },
    };
  }

  /** A window on a screen of the app: the fleet by default. */
  open(url = `${APP_PAGE}#/fleet`): BrowserWindow {
    const win = new BrowserWindow(this.options());
    this.#showWhenReady(win);
    void win.loadURL(url);
    return win;
  }

  /** The window in front, or the first one, or a new fleet window. */
  front(): BrowserWindow {
    const win = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0] ?? this.open();
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
    return win;
  }

  /** Applies the rules to every web contents the app creates, windows it opens included. */
  lockDown(): void {
    const deny = session.defaultSession;
    deny.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    deny.setPermissionCheckHandler(() => false);
    deny.setDevicePermissionHandler(() => false);
    app.on('web-contents-created', (_event, contents) => this.#guard(contents));
  }

  #guard(contents: WebContents): void {
    contents.on('will-attach-webview', (event) => event.preventDefault());
    const stayInApp = (event: { preventDefault(): void; url: string }) => {
      if (isAppUrl(event.url)) return;
      event.preventDefault();
      openOutside(event.url);
    };
    contents.on('will-navigate', stayInApp);
    contents.on('will-redirect', stayInApp);
    contents.setWindowOpenHandler(({ url }) => {
      if (isAppUrl(url)) return { action: 'allow', overrideBrowserWindowOptions: this.options() };
      openOutside(url);
      return { action: 'deny' };
    });
    contents.on('did-create-window', (win) => this.#showWhenReady(win));
  }

  #showWhenReady(win: BrowserWindow): void {
    win.once('ready-to-show', () => win.show());
    // Should the page never paint, show the window anyway rather than nothing.
    win.webContents.once('did-fail-load', () => win.show());
  }
}
