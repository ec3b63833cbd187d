import crypto from 'node:crypto';
import path from 'node:path';
import { startThrowawayPostgres, type ThrowawayPostgres, type ThrowawayPostgresOptions } from '../../server-core/src/testing/throwawayPostgres.js';
import { runShoalCli } from './cli.js';
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
  /** Starts one more node of this cluster (or restarts one by name). */
  startNode(name: string, taskCap: number, startTimeoutMs?: number): Promise<ShoalProcess>;
}

/**
 * A throwaway PostgreSQL, cluster-shared storage set through the CLI, and `count` real nodes.
 * Several clusters may share one PostgreSQL (`o.pg`, each with its own `o.database`); a
 * cluster with its own may ask for one set up its way (`o.postgres`).
 */
export async function startCluster(
  count: number,
  taskCap: number,
  o: { pg?: ThrowawayPostgres; database?: string; startTimeoutMs?: number; postgres?: ThrowawayPostgresOptions } = {},
): Promise<Cluster> {
  const dir = tempDir('shoal-cluster-');
  const pg = o.pg ?? (await startThrowawayPostgres(o.postgres));
  if (!o.pg) onTeardown(() => pg.destroy());
  const databaseUrl = await pg.createDatabase(o.database ?? 'shoal');
  const masterKey = crypto.randomBytes(32).toString('base64');
  const sharedRoot = path.join(dir, 'shared');
  const env = { SHOAL_DATABASE_URL: databaseUrl, SHOAL_MASTER_KEY: masterKey, SHOAL_TRUSTED_PROXIES: '127.0.0.1' };
  const set = await runShoalCli(['storage', 'set', '--cluster-shared', sharedRoot, '--data-dir', path.join(dir, 'cli')], env);
  if (set.code !== 0) throw new Error(`shoal storage set failed: ${set.stderr}`);
  const startNode = (name: string, cap: number, startTimeoutMs = o.startTimeoutMs) =>
    startShoalProcess({ dataDir: path.join(dir, name), nodeName: name, taskCap: cap, env, startTimeoutMs });
  const nodes: ShoalProcess[] = [];
  for (let i = 1; i <= count; i++) nodes.push(await startNode(`node${i}`, taskCap));
  return { pg, databaseUrl, masterKey, sharedRoot, dir, nodes, startNode };
}
