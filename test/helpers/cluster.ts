import crypto from 'node:crypto';
import path from 'node:path';
import { startThrowawayPostgres, type ThrowawayPostgres, type ThrowawayPostgresOptions } from '../../server-core/src/testing/throwawayPostgres.js';
import { runShoalCli } from './cli.js';
import { startShare, type Share, type ShareNamespace, type ShareOptions } from './share.js';
import { startShoalProcess, type ShoalProcess } from './shoalProcess.js';
import { onTeardown } from './teardown.js';
import { tempDir } from './tempDir.js';

export interface Cluster {
  pg: ThrowawayPostgres;
  databaseUrl: string;
  masterKey: string;
  sharedRoot: string;
  dir: string;
  nodes: ShoalProcess[];
  /** With `share`: the network share, and each node's mount namespace by node name. */
  share?: Share;
  namespaces: Map<string, ShareNamespace>;
  /** Starts one more node of this cluster (or restarts one by name, in its namespace). */
  startNode(name: string, taskCap: number, o?: { mount?: boolean; startTimeoutMs?: number }): Promise<ShoalProcess>;
}

/**
 * A throwaway PostgreSQL, cluster-shared storage set through the CLI, and `count` real nodes.
 * With `share`, the storage is a real network share (sshd + sshfs) that every node mounts in
 * its own mount namespace; without, one local folder. Several clusters may share one
 * PostgreSQL (`o.pg`, each with its own `o.database`); a cluster with its own may ask for
 * one set up its way (`o.postgres`).
 */
export async function startCluster(
  count: number,
  taskCap: number,
  o: { share?: ShareOptions; pg?: ThrowawayPostgres; database?: string; startTimeoutMs?: number; postgres?: ThrowawayPostgresOptions } = {},
): Promise<Cluster> {
  const dir = tempDir('shoal-cluster-');
  const pg = o.pg ?? (await startThrowawayPostgres(o.postgres));
  if (!o.pg) onTeardown(() => pg.destroy());
  const databaseUrl = await pg.createDatabase(o.database ?? 'shoal');
  const masterKey = crypto.randomBytes(32).toString('base64');
  const share = o.share ? await startShare(path.join(dir, 'share'), o.share) : undefined;
  const namespaces = new Map<string, ShareNamespace>();
  const namespaceOf = async (name: string, mount = true) => {
    if (!share) return undefined;
    let ns = namespaces.get(name);
    if (!ns) namespaces.set(name, (ns = await share.namespace({ mount })));
    return ns;
  };
  const sharedRoot = share ? path.join(share.mountPoint, 'shoal') : path.join(dir, 'shared');
  const env = { SHOAL_DATABASE_URL: databaseUrl, SHOAL_MASTER_KEY: masterKey, SHOAL_TRUSTED_PROXIES: '127.0.0.1' };
  // Set from a machine that has the share mounted, as an operator would.
  const admin = await namespaceOf('admin');
  const set = await runShoalCli(['storage', 'set', '--cluster-shared', sharedRoot, '--data-dir', path.join(dir, 'cli')], env, 30_000, admin?.prefix);
  if (set.code !== 0) throw new Error(`shoal storage set failed: ${set.stderr}`);
  const startNode = async (name: string, cap: number, no: { mount?: boolean; startTimeoutMs?: number } = {}) =>
    startShoalProcess({ dataDir: path.join(dir, name), nodeName: name, taskCap: cap, env, startTimeoutMs: no.startTimeoutMs ?? o.startTimeoutMs, prefix: (await namespaceOf(name, no.mount))?.prefix });
  const nodes: ShoalProcess[] = [];
  for (let i = 1; i <= count; i++) nodes.push(await startNode(`node${i}`, taskCap));
  return { pg, databaseUrl, masterKey, sharedRoot, dir, nodes, share, namespaces, startNode };
}
