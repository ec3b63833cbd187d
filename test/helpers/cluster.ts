import crypto from 'node:crypto';
import path from 'node:path';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../../server-core/src/testing/throwawayPostgres.js';
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

/** A throwaway PostgreSQL, cluster-shared storage set through the CLI, and `count` real nodes. */
export async function startCluster(count: number, taskCap: number): Promise<Cluster> {
  const dir = tempDir('shoal-cluster-');
  const pg = await startThrowawayPostgres();
  onTeardown(() => pg.destroy());
  const databaseUrl = await pg.createDatabase('shoal');
  const masterKey = crypto.randomBytes(32).toString('base64');
  const sharedRoot = path.join(dir, 'shared');
  const env = { SHOAL_DATABASE_URL: databaseUrl, SHOAL_MASTER_KEY: masterKey, SHOAL_TRUSTED_PROXIES: '127.0.0.1' };
  const set = await runShoalCli(['storage', 'set', '--cluster-shared', sharedRoot, '--data-dir', path.join(dir, 'cli')], env);
  if (set.code !== 0) throw new Error(`shoal storage set failed: ${set.stderr}`);
  const startNode = (name: string, cap: number, startTimeoutMs?: number) =>
    startShoalProcess({ dataDir: path.join(dir, name), nodeName: name, taskCap: cap, env, startTimeoutMs });
  const nodes: ShoalProcess[] = [];
  for (let i = 1; i <= count; i++) nodes.push(await startNode(`node${i}`, taskCap));
  return { pg, databaseUrl, masterKey, sharedRoot, dir, nodes, startNode };
}
