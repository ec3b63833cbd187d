import path from 'node:path';
import { openDatabase } from '../../../server-core/src/db/open.js';
import type { ShoalDb } from '../../../server-core/src/db/dialects/dialect.js';
import type { ThrowawayPostgres } from '../../../server-core/src/testing/throwawayPostgres.js';
import { ShoalClient } from '../../helpers/apiClient.js';
import { BenchChild } from './childProcess.js';
import type { ChildMessage } from './ipc.js';

export const ADMIN_PASSWORD = 'bench-cluster-admin-password';

export interface ShoalNodeProcess {
  name: string;
  url: string;
  proc: BenchChild;
}

/** Start times of no-op tasks as the node processes report them (wall clock), by task id. */
export class StartBoard {
  private readonly starts = new Map<string, { at: number; node: string }>();
  private readonly waiters = new Map<string, (s: { at: number; node: string }) => void>();

  record(m: ChildMessage): void {
    if (m.type !== 'started') return;
    const s = { at: m.at, node: m.node };
    this.starts.set(m.taskId, s);
    this.waiters.get(m.taskId)?.(s);
    this.waiters.delete(m.taskId);
  }

  /** Resolves with when and where the task started, at once if it already did. */
  startOf(taskId: string, timeoutMs = 10_000): Promise<{ at: number; node: string }> {
    const s = this.starts.get(taskId);
    if (s) return Promise.resolve(s);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(taskId);
        reject(new Error(`${taskId} did not start within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(taskId, (v) => {
        clearTimeout(timer);
        resolve(v);
      });
    });
  }

  get(taskId: string) {
    return this.starts.get(taskId);
  }
}

export interface ShoalBenchCluster {
  dbName: string;
  databaseUrl: string;
  nodes: ShoalNodeProcess[];
  /** An administrator's API key, valid on every node. */
  apiKey: string;
  /** API client (with the key) per node, same order as `nodes`. */
  clients: ShoalClient[];
  /** The benchmark's own connection to the cluster database. */
  shoal: ShoalDb;
  board: StartBoard;
  /** Starts node `index` again (same name and data dir) after it died; its client follows. */
  restart(index: number): Promise<void>;
  /** Stops every node (as SIGTERM would) and closes the benchmark's connection. */
  stop(): Promise<void>;
}

export interface ShoalClusterOptions {
  pg: ThrowawayPostgres;
  dir: string;
  dbName: string;
  count: number;
  taskCap: number;
  masterKey: string;
  /** Nodes report each no-op task's start over IPC (latency runs only: it costs the node a message per task). */
  reportStarts: boolean;
}

/**
 * A fresh database and `count` Shoal nodes on it, each a child process running `startNode`
 * with the benchmark kinds, all sharing one storage folder (task logs), as a real cluster would.
 */
export async function startShoalCluster(o: ShoalClusterOptions): Promise<ShoalBenchCluster> {
  const databaseUrl = await o.pg.createDatabase(o.dbName);
  const board = new StartBoard();
  const nodes: ShoalNodeProcess[] = [];
  const startOne = async (name: string) => {
    const { child, url } = await BenchChild.start(name, 'benchNodeProcess.ts', {
      BENCH_NODE_NAME: name,
      BENCH_DATA_DIR: path.join(o.dir, o.dbName, name),
      BENCH_TASK_CAP: String(o.taskCap),
      BENCH_DATABASE_URL: databaseUrl,
      BENCH_MASTER_KEY: o.masterKey,
      BENCH_SHARED_ROOT: path.join(o.dir, o.dbName, 'shared'),
      BENCH_ADMIN_PASSWORD: ADMIN_PASSWORD,
      BENCH_REPORT_STARTS: o.reportStarts ? '1' : '0',
    });
    child.onMessage((m) => board.record(m));
    return { name, url: url!, proc: child };
  };
  let shoal: ShoalDb | undefined;
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.proc.stop()));
    await shoal?.close();
  };
  try {
    // The first node creates the schema and the admin; the others join it.
    nodes.push(await startOne('node1'));
    nodes.push(...(await Promise.all(Array.from({ length: o.count - 1 }, (_, i) => startOne(`node${i + 2}`)))));
    shoal = await openDatabase(databaseUrl, { poolSize: 3 });
    const login = await ShoalClient.login(nodes[0]!.url, 'admin', ADMIN_PASSWORD);
    const { apiKey } = await login.call<{ apiKey: string }>('POST', '/api/users/me/apikeys', { name: 'cluster-bench' }, 201);
    const clients = nodes.map((n) => new ShoalClient(n.url, { apiKey }));
    const restart = async (index: number) => {
      nodes[index] = await startOne(nodes[index]!.name);
      clients[index] = new ShoalClient(nodes[index]!.url, { apiKey });
    };
    return { dbName: o.dbName, databaseUrl, nodes, apiKey, clients, shoal, board, restart, stop };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}
