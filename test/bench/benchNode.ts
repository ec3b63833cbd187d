import path from 'node:path';
import pino from 'pino';
import { createApiKey } from '../../server-core/src/auth/apiKeys.js';
import { resolveNodeConfig } from '../../server-core/src/config/nodeConfig.js';
import { startNode, type RunningNode } from '../../server-core/src/node.js';
import type { NoopKind } from './noopKind.js';

export interface BenchNode {
  node: RunningNode;
  /** An administrator's API key, for the HTTP path. */
  apiKey: string;
}

/** A standalone node in this process, on SQLite in `dir`, listening on a free local port. */
export async function startBenchNode(dir: string, noop: NoopKind, taskCap: number, name: string): Promise<BenchNode> {
  // An empty environment: the runner's SHOAL_* variables must not redirect the benchmark.
  const config = resolveNodeConfig({ dataDir: path.join(dir, name), port: 0, nodeName: name, taskCap }, {});
  const node = await startNode({
    config,
    logger: pino({ level: 'warn' }),
    adminPassword: 'bench-admin-password',
    extraKinds: [noop.kind],
  });
  const admin = await node.shoal.db.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirstOrThrow();
  const { key } = await createApiKey(node.shoal, Number(admin.id), 'bench');
  return { node, apiKey: key };
}
