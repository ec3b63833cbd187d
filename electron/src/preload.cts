/**
 * Preload of every window: exposes the manager's bridge as `window.shoal` — the same
 * `ShoalBridge` the screens use over HTTP in a browser (invoke a channel, listen to an event),
 * carried over the two IPC channels main serves (bridgeIpc.ts). Nothing else of Electron or
 * Node reaches the page.
 *
 * The window is sandboxed, so this runs as a classic script (CommonJS, hence .cts) that may
 * `require('electron')` and nothing local: the contract comes in through `import type` only,
 * and the channel names are typed by main's constants, so a rename there fails this build.
 */
import electron = require('electron');
import type { BridgeEvent, BridgeReply, IPC_EVENT, IPC_INVOKE, ShoalBridge } from '@shoal/manager/desktop' with { 'resolution-mode': 'import' };

const INVOKE: typeof IPC_INVOKE = 'shoal:invoke';
const EVENT: typeof IPC_EVENT = 'shoal:event';

const bridge: ShoalBridge = {
  async invoke(channel, ...args) {
    const reply = (await electron.ipcRenderer.invoke(INVOKE, channel, args)) as BridgeReply;
    if ('error' in reply.body) throw new Error(reply.body.error.message);
    return reply.body.result as never;
  },
  on(event, listener) {
    const relay = (_e: unknown, message: BridgeEvent) => {
      if (message.event === event) listener(message.payload as never);
    };
    electron.ipcRenderer.on(EVENT, relay);
    return () => {
      electron.ipcRenderer.removeListener(EVENT, relay);
    };
  },
};

electron.contextBridge.exposeInMainWorld('shoal', bridge);
