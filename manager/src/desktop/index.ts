/**
 * What the desktop app's main process takes from the manager (`@shoal/manager/desktop`): the
 * core, the bridge's handlers and answers, the app:// protocol, and the names its IPC uses. The
 * utility process that runs the embedded node takes `@shoal/manager/embedded` instead.
 */
export { ManagerCore, EMBEDDED_CONNECTION_ID, type AttachedNode } from '../manager.js';
export { bridgeHandlers, answerBridge, type BridgeHost, type BridgeReply } from '../bridge/handlers.js';
export type { BridgeHandlers } from '../bridge/contract.js';
export type { BridgeEvent, BridgeEvents, FleetNotification, ShoalBridge, BridgeChannel, BridgeArgs, BridgeResults } from '../bridge/contract.js';
export { appProtocolHandler, isAppUrl, APP_SCHEME, APP_HOST, APP_ORIGIN, APP_PAGE } from './appProtocol.js';
export { PortalFiles } from '../portal/portalFiles.js';
export { proxyBase } from '../proxy/apiProxy.js';
export { IPC_INVOKE, IPC_EVENT } from './ipcNames.js';
