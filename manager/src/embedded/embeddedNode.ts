/**
 * The embedded node, run inside the manager's own process (shoal-manager --embedded): a
 * standalone node on 127.0.0.1 at a free port, and an API key for the manager to call it with.
 * server-core is imported only here and only when asked for, so the manager runs without it.
 */
export interface EmbeddedNode {
  url: string;
  apiKey: string;
  dataDir: string;
  stop(reason: string): Promise<void>;
}

export interface EmbeddedNodeOptions {
  /** The node's data folder (default: as `shoal run`, $SHOAL_DATA_DIR or ~/.shoal). */
  dataDir?: string;
  /** First start: told the generated administrator password (null when SHOAL_ADMIN_PASSWORD gave it). */
  onAdminCreated?: (password: string | null) => void;
}

const ADMIN = 'admin';

export async function startEmbeddedNode(o: EmbeddedNodeOptions = {}): Promise<EmbeddedNode> {
  const { createApiKey, resolveNodeConfig, startNode } = await import('@shoal/server-core');
  const config = resolveNodeConfig({ dataDir: o.dataDir, host: '127.0.0.1', port: 0 });
  const node = await startNode({ config, adminPassword: process.env.SHOAL_ADMIN_PASSWORD || undefined, onAdminCreated: o.onAdminCreated });
  try {
    const admin = await node.shoal.db.selectFrom('users').select('id').where('username', '=', ADMIN).executeTakeFirst();
    if (!admin) throw new Error(`the embedded node has no user "${ADMIN}" for the manager's key`);
    const { key } = await createApiKey(node.shoal, Number(admin.id), `shoal-manager ${new Date().toISOString()}`);
    return { url: node.url, apiKey: key, dataDir: config.dataDir, stop: (reason) => node.stop(reason) };
  } catch (err) {
    await node.stop('The manager could not use the embedded node.');
    throw err;
  }
}
