/**
 * Messages between the main process and the utility process that runs the embedded node
 * (embeddedNode.ts). Plain JSON-safe objects, posted over Electron's parent port.
 *
 *   utility → main   { type: 'alive' }                      the entry loaded; main answers with 'start'
 *   main → utility   { type: 'start', options }
 *   utility → main   { type: 'admin-created', password }   first start only; password null when it was given
 *   utility → main   { type: 'ready', url, dataDir, nodeName }
 *   utility → main   { type: 'failed', message }            start failed or the node crashed; the process exits
 *   main → utility   { type: 'stop', reason }               graceful stop (on quit)
 *   utility → main   { type: 'stopped' }                    stopped cleanly; the process exits 0 right after
 */

export interface EmbeddedNodeOptions {
  /** Data folder of the node: SQLite database, master key, storage. */
  dataDir: string;
  /** Built portal (renderer/dist) the node serves at `/`; absent means API only. */
  portalDir?: string;
  /** Password for the first admin; without it one is generated and reported once. */
  adminPassword?: string;
}

export type MainToNode =
  | { type: 'start'; options: EmbeddedNodeOptions }
  | { type: 'stop'; reason: string };

export type NodeToMain =
  | { type: 'alive' }
  | { type: 'admin-created'; password: string | null }
  | { type: 'ready'; url: string; dataDir: string; nodeName: string }
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
