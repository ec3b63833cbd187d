/** The portal window: the embedded node's web portal in a locked-down BrowserWindow. */
import { BrowserWindow, shell } from 'electron';

export interface PortalWindowOptions {
  /** The node's URL; the window never navigates away from its origin. */
  url: string;
  /** Compiled preload (preload.cjs). */
  preload: string;
}

function openOutside(target: string): void {
  if (/^https?:\/\//i.test(target)) void shell.openExternal(target);
}

function originOf(target: string): string | undefined {
  try {
    return new URL(target).origin;
  } catch {
    return undefined;
  }
}

export function createPortalWindow(o: PortalWindowOptions): BrowserWindow {
  const origin = new URL(o.url).origin;
  const win = new BrowserWindow({
    title: 'Shoal',
    width: 1280,
    height: 832,
    minWidth: 800,
    minHeight: 560,
    show: false,
    webPreferences: {
      preload: o.preload,
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webviewTag: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  // Should the page never paint (the node went away), show the window anyway rather than nothing.
  win.webContents.once('did-fail-load', () => win.show());

  // Links to other sites open in the user's browser; the window itself only shows the node.
  win.webContents.setWindowOpenHandler(({ url }) => {
    openOutside(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event) => {
    if (originOf(event.url) === origin) return;
    event.preventDefault();
    openOutside(event.url);
  });

  void win.loadURL(o.url);
  return win;
}

/** True when `frameUrl` is on the node's origin (IPC calls from any other frame are refused). */
export function isFromOrigin(frameUrl: string, nodeUrl: string): boolean {
  return originOf(frameUrl) === new URL(nodeUrl).origin;
}
