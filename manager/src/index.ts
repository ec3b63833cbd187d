export { ManagerCore, EMBEDDED_CONNECTION_ID, type ManagerOptions, type NewConnection, type TestTarget, type AttachedNode, type JoinedCluster } from './manager.js';
export { bridgeHandlers, invokeBridge, answerBridge, BridgeCallError, type BridgeHost, type BridgeReply } from './bridge/handlers.js';
export type * from './bridge/contract.js';
export { buildManagerServer } from './server/managerServer.js';
export { proxyBase } from './proxy/apiProxy.js';
export { startEmbeddedNode, attachedNode, type EmbeddedNode, type EmbeddedNodeOptions } from './embedded/embeddedNode.js';
export { appProtocolHandler, isAppUrl, APP_SCHEME, APP_HOST, APP_ORIGIN, APP_PAGE } from './desktop/appProtocol.js';
export { PortalFiles } from './portal/portalFiles.js';
export { MANAGER_VERSION } from './version.js';
