export { startNode, type RunningNode, type StartOptions } from './node.js';
export { resolveNodeConfig, updateConfigFile, type NodeConfig, ConfigError } from './config/nodeConfig.js';
export type { TaskKind, TaskContext } from './executor/taskKind.js';
export { SHOAL_VERSION } from './version.js';
export { createApiKey, reuseOrReplaceNamedKey } from './auth/apiKeys.js';
export { keepMasterKeyInKeychain, type KeychainMove } from './secrets/masterKeyToKeychain.js';
export { isServerDatabaseUrl } from './db/open.js';
