/** Registers the main-process side of the IPC contract (ipc.ts): one handler per channel. */
import { ipcMain } from 'electron';
import type { IpcChannel, IpcHandlers } from './ipc.js';

/**
 * `isTrustedSender` gets the URL of the calling frame; calls from anywhere else are refused
 * (Electron's security checklist: validate the sender of every IPC message).
 */
export function registerIpcHandlers(handlers: IpcHandlers, isTrustedSender: (frameUrl: string) => boolean): () => void {
  const channels = Object.keys(handlers) as IpcChannel[];
  for (const channel of channels) {
    const handler = handlers[channel] as (...args: unknown[]) => unknown;
    ipcMain.handle(channel, (event, ...args: unknown[]) => {
      const frameUrl = event.senderFrame?.url ?? '';
      if (!isTrustedSender(frameUrl)) throw new Error(`Shoal IPC "${channel}" refused for ${frameUrl || 'an unknown frame'}`);
      return handler(...args);
    });
  }
  return () => {
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}
