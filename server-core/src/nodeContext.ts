import type { Logger } from 'pino';
import type { KeyAndCertificate } from './agents/certificates.js';
import type { NodeConfig } from './config/nodeConfig.js';
import type { ShoalDb } from './db/dialects/dialect.js';
import type { Executor } from './executor/executor.js';
import type { TaskKindRegistry } from './executor/taskKind.js';
import type { PingCache } from './nodes/pingCache.js';

/** What the routes of one node need. */
export interface NodeContext {
  shoal: ShoalDb;
  config: NodeConfig;
  version: string;
  executor: Executor;
  kinds: TaskKindRegistry;
  ping: PingCache;
  logger: Logger;
  /** Seals sensitive values (AES-256-GCM); never leaves the node. */
  masterKey: Buffer;
  /** What this node shows other nodes of its cluster (derived from the master key). */
  nodeCredential: string;
  /** The agents' channel: the cluster certificate, this node's comms port, the public address when configured. */
  comms: { certificate: KeyAndCertificate; port(): number; publicUrl?: string };
}
