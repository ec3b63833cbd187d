/**
 * The embedded node: a node on this machine that the app runs itself (shoal-manager --embedded in
 * its own process, the desktop app in a utility process), on 127.0.0.1, and the API key the
 * manager calls it with. server-core is imported only here and only when asked for, so the
 * manager runs without it.
 *
 * - Master key: where the app has an OS keychain, the node's key is kept there (moved from the
 *   data dir's file; see server-core's keepMasterKeyInKeychain); otherwise it stays in the file.
 * - API key: one key named EMBEDDED_KEY_NAME, reused from start to start while the manager kept
 *   it; when it did not (keys for a session only), a new one replaces it and the old is revoked.
 */
import type { KeychainMove } from '@shoal/server-core';
import type { AttachedNode } from '../manager.js';

export const EMBEDDED_KEY_NAME = 'Shoal manager (this computer)';

export interface EmbeddedNode {
  url: string;
  apiKey: string;
  dataDir: string;
  nodeName: string;
  /** The node runs on a shared database: it is a node of a cluster (after moving to HA), no longer standalone. */
  shared: boolean;
  /** Where its master key is: moved to / found in the keychain, or left to the file or the operator. */
  masterKey: KeychainMove | { outcome: 'file'; reason: string };
  stop(reason: string): Promise<void>;
}

export interface EmbeddedNodeOptions {
  /** The node's data folder (default: as `shoal run`, $SHOAL_DATA_DIR or ~/.shoal). */
  dataDir?: string;
  /** Default: any free port for a standalone node; a node of a cluster keeps the port in its config (set when it joined). */
  port?: number;
  /** The built portal the node serves at / (the desktop app; shoal-manager serves it itself). */
  portalDir?: string;
  /** The self-contained agent the node serves for download (agent/bundle); absent: none. */
  agentBundleDir?: string;
  adminPassword?: string;
  /** First start: told the generated administrator password (null when adminPassword gave it). */
  onAdminCreated?: (password: string | null) => void;
  /** Keep the master key in this OS keychain service; null: no keychain here (why in `noKeychain`). */
  keychainService: string | null;
  noKeychain?: string;
  /** The key the manager kept from the last start, reused while it works. */
  apiKey?: string;
}

const ADMIN = 'admin';

export async function startEmbeddedNode(o: EmbeddedNodeOptions): Promise<EmbeddedNode> {
  const core = await import('@shoal/server-core');
  const dataDir = core.resolveNodeConfig({ dataDir: o.dataDir }).dataDir;
  let masterKey: EmbeddedNode['masterKey'];
  if (o.keychainService) {
    const { OsKeychain } = await import('@shoal/server-core/keychain');
    masterKey = await core.keepMasterKeyInKeychain(dataDir, new OsKeychain(o.keychainService));
  } else {
    masterKey = { outcome: 'file', reason: o.noKeychain ?? 'no OS keychain is used' };
  }
  const shared = core.isServerDatabaseUrl(core.resolveNodeConfig({ dataDir }).databaseUrl);
  const portInFile = core.resolveNodeConfig({ dataDir }, {}).port;
  // Standalone, it answers this machine only; a node of a cluster listens where its config says, for the balancer.
  const config = core.resolveNodeConfig({ dataDir, host: shared ? undefined : '127.0.0.1', port: o.port ?? (shared ? portInFile : 0) });
  config.portalDir ??= o.portalDir;
  config.agentBundleDir ??= o.agentBundleDir;
  const node = await core.startNode({ config, adminPassword: o.adminPassword, onAdminCreated: o.onAdminCreated });
  try {
    // A node of a cluster stays where its balancer was told it is.
    const port = Number(new URL(node.url).port);
    if (shared && port !== portInFile) core.updateConfigFile(dataDir, { port });
    const admin = await node.shoal.db.selectFrom('users').select('id').where('username', '=', ADMIN).executeTakeFirst();
    if (!admin) throw new Error(`the embedded node has no user "${ADMIN}" for the manager's key`);
    const { key } = await core.reuseOrReplaceNamedKey(node.shoal, Number(admin.id), EMBEDDED_KEY_NAME, o.apiKey);
    return {
      url: node.url,
      apiKey: key,
      dataDir,
      nodeName: config.nodeName,
      shared,
      masterKey,
      stop: (reason) => node.stop(reason),
    };
  } catch (err) {
    await node.stop('The manager could not use the embedded node.');
    throw err;
  }
}

/** What the manager core is told about a started embedded node. */
export function attachedNode(n: EmbeddedNode): AttachedNode {
  const where = n.masterKey.outcome === 'moved' || n.masterKey.outcome === 'in-keychain' ? 'keychain' : n.masterKey.outcome === 'given' ? 'given' : 'file';
  const note =
    n.masterKey.outcome === 'kept-in-file' ? n.masterKey.problem : n.masterKey.outcome === 'file' ? `The master key stays in ${n.dataDir}/master.key: ${n.masterKey.reason}.` : null;
  return { url: n.url, apiKey: n.apiKey, nodeName: n.nodeName, dataDir: n.dataDir, shared: n.shared, masterKey: { where, note } };
}
