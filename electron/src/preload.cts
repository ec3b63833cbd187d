/**
 * Preload of the portal window. The window is sandboxed, so this runs as a classic script
 * (CommonJS, hence .cts) that may `require('electron')` and nothing local: the contract
 * comes in through `import type` only, and the channel list below is checked against it.
 */
import electron = require('electron');
import type { BridgeName, IpcChannel, ShoalBridge } from './ipc.js';

// A record over every channel: a channel added to the contract that is missing here does not compile.
const channels: Record<IpcChannel, true> = {
  'node:info': true,
  'app:info': true,
};

const bridge: ShoalBridge = {
  desktop: true,
  invoke: (channel, ...args) =>
    Object.hasOwn(channels, channel)
      ? electron.ipcRenderer.invoke(channel, ...args)
      : Promise.reject(new Error(`Shoal: unknown IPC channel "${String(channel)}"`)),
};

const name: BridgeName = 'shoal';
electron.contextBridge.exposeInMainWorld(name, bridge);
