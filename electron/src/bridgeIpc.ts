/**
 * The manager's bridge over IPC: one channel for calls, answered as shoal-manager answers them
 * over HTTP (the same handlers, the same argument checks), one for events to every window. A
 * call from any frame that is not the app's own (app://shoal) is refused before anything runs.
 */
import { BrowserWindow, ipcMain, type WebContents } from 'electron';
import { answerBridge, IPC_EVENT, IPC_INVOKE, isAppUrl, type BridgeEvent, type BridgeHandlers, type BridgeReply } from '@shoal/manager/desktop';

export function serveBridge(handlers: BridgeHandlers): () => void {
  ipcMain.handle(IPC_INVOKE, async (event, channel: unknown, args: unknown): Promise<BridgeReply> => {
    const from = event.senderFrame?.url ?? '';
    if (!isAppUrl(from) || typeof channel !== 'string') {
      return { status: 403, body: { error: { code: 'ForeignFrame', message: `Only the app's own pages may call the manager (not ${from || 'an unknown frame'}).` } } };
    }
    return answerBridge(handlers, channel, args, (e) => console.error(`Shoal: bridge call ${channel} failed: ${e.message}`));
  });
  return () => ipcMain.removeHandler(IPC_INVOKE);
}

/** An event to one window. */
export function sendEvent(contents: WebContents, e: BridgeEvent): void {
  if (!contents.isDestroyed()) contents.send(IPC_EVENT, e);
}

/** An event to every window of the app. */
export function broadcastEvent(e: BridgeEvent): void {
  for (const win of BrowserWindow.getAllWindows()) sendEvent(win.webContents, e);
}
