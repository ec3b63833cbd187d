/**
 * The IPC contract between the main process and the portal window: one typed map.
 *
 * Main registers a handler for every channel (see `IpcHandlers`); the preload exposes
 * `window.shoal.invoke(channel, ...args)` typed by the same map (see `ShoalBridge`).
 * Adding a channel here makes both sides fail to compile until they handle it.
 *
 * This file holds types only: the sandboxed preload cannot load local modules at run time,
 * so it imports these with `import type` and nothing here may need to exist at run time.
 */

/** The embedded node the window is showing. */
export interface NodeInfo {
  /** Base URL the node answers on, e.g. http://127.0.0.1:49152 */
  url: string;
  /** Folder holding the node's SQLite database, master key and storage. */
  dataDir: string;
}

/** The desktop shell itself. */
export interface AppInfo {
  version: string;
  electronVersion: string;
  platform: string;
}

/** Channel name → the call the portal makes (arguments and result as seen by the portal). */
export interface IpcContract {
  'node:info': () => NodeInfo;
  'app:info': () => AppInfo;
}

export type IpcChannel = keyof IpcContract;
export type IpcArgs<C extends IpcChannel> = Parameters<IpcContract[C]>;
export type IpcResult<C extends IpcChannel> = ReturnType<IpcContract[C]>;

/** What main must provide: one handler per channel, sync or async. */
export type IpcHandlers = {
  [C in IpcChannel]: (...args: IpcArgs<C>) => IpcResult<C> | Promise<IpcResult<C>>;
};

/** What the preload puts on `window.shoal` (the name is `BRIDGE_NAME`). */
export interface ShoalBridge {
  /** True inside the desktop app; the portal in a plain browser has no `window.shoal`. */
  readonly desktop: true;
  invoke<C extends IpcChannel>(channel: C, ...args: IpcArgs<C>): Promise<IpcResult<C>>;
}

/** The global the preload defines in the portal's window. */
export type BridgeName = 'shoal';
