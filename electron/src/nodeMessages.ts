/**
 * Messages between the main process and the utility process that runs the embedded node
 * (embeddedNode.ts). Plain JSON-safe objects, posted over Electron's parent port.
 *
 *   utility → main   { type: 'alive' }                      the entry loaded; main answers with 'start'
 *   main → utility   { type: 'start', options }
 *   utility → main   { type: 'admin-created', password }   first start only; password null when it was given
 *   utility → main   { type: 'ready', node }                 listening, with the manager's key for it
 *   utility → main   { type: 'failed', message }            start failed or the node crashed; the process exits
 *   main → utility   { type: 'stop', reason }               graceful stop (on quit, or to restart on a cluster)
 *   utility → main   { type: 'stopped' }                    stopped cleanly; the process exits 0 right after
 *
 * The node's API key crosses this port (main keeps it for the proxy, in the keychain where there
 * is one); it never reaches a window.
 */
import type { AttachedNode } from '@shoal/manager/desktop';

export interface EmbeddedNodeOptions {
  /** Data folder of the node: SQLite database (or a cluster's config), master key file, storage. */
  dataDir: string;
  /** Built portal (renderer/dist) the node serves at `/`; absent means API only. */
  portalDir?: string;
  /** The self-contained agent the node serves at /api/agent/download (agent/bundle); absent means none. */
  agentBundleDir?: string;
  /** Password for the first admin; without it one is generated and reported once. */
  adminPassword?: string;
  /** Absent: any free port (a node of a cluster keeps the one in its config). */
  port?: number;
  /** The OS keychain service the master key is kept in; null where the app has no keychain (why in noKeychain). */
  keychainService: string | null;
  noKeychain?: string;
  /** The key the manager kept from the last start. */
  apiKey?: string;
}

export type MainToNode = { type: 'start'; options: EmbeddedNodeOptions } | { type: 'stop'; reason: string };

export type NodeToMain =
  | { type: 'alive' }
  | { type: 'admin-created'; password: string | null }
  | { type: 'ready'; node: AttachedNode }
  | { type: 'failed'; message: string }
  | { type: 'stopped' };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

export function isMainToNode(v: unknown): v is MainToNode {
  return isObject(v) && (v.type === 'start' || v.type === 'stop');
}

export function isNodeToMain(v: unknown): v is NodeToMain {
  return isObject(v) && ['alive', 'admin-created', 'ready', 'failed', 'stopped'].includes(v.type as string);
}
