export { ManagerCore, EMBEDDED_CONNECTION_ID, type ManagerOptions, type NewConnection, type TestTarget } from './manager.js';
export { bridgeHandlers, invokeBridge, BridgeCallError, type BridgeHost } from './bridge/handlers.js';
export type * from './bridge/contract.js';
export { buildManagerServer, proxyBase } from './server/managerServer.js';
export { startEmbeddedNode, type EmbeddedNode } from './embedded/embeddedNode.js';
export { MANAGER_VERSION } from './version.js';
