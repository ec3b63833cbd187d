import pg from 'pg';
import type { ThrowawayPostgres } from '../../../server-core/src/testing/throwawayPostgres.js';
import { childrenCpuMs, parentPid } from './cpu.js';

export interface StatementCounts {
  /** Statements the clients sent (BEGIN/COMMIT included), all of one database. */
  calls: number;
  /** Server time spent executing them. */
  execMs: number;
  /** The most frequent statements, whitespace folded and cut. */
  top: { calls: number; meanMs: number; query: string }[];
}

/**
 * What the PostgreSQL server did: statements per database with pg_stat_statements (loaded by a
 * restart of the throwaway server, before anything else runs; read from the maintenance
 * database), and the CPU time of its processes.
 * Only top-level statements are counted (its default track = top): what each client sends,
 * one round trip each.
 */
export class ServerStats {
  private constructor(
    private readonly client: pg.Client,
    /** The postmaster: every server process is its child. */
    private readonly postmasterPid: number,
  ) {}

  static async enable(server: ThrowawayPostgres): Promise<ServerStats> {
    const admin = new pg.Client({ connectionString: server.url() });
    await admin.connect();
    try {
      await admin.query(`alter system set shared_preload_libraries = 'pg_stat_statements'`);
    } finally {
      await admin.end();
    }
    await server.restart();
    const client = new pg.Client({ connectionString: server.url(), application_name: 'bench-stats' });
    await client.connect();
    await client.query('create extension if not exists pg_stat_statements');
    const backend = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    return new ServerStats(client, parentPid(backend));
  }

  /** CPU time used so far by each process of the server (backends, writers), by pid (Linux /proc). */
  serverCpu(): Map<number, number> {
    return childrenCpuMs(this.postmasterPid);
  }

  /** Server CPU used since `before` (a `serverCpu()` snapshot); processes started since count from zero. */
  serverCpuSince(before: Map<number, number>): number {
    let ms = 0;
    for (const [pid, now] of this.serverCpu()) ms += now - (before.get(pid) ?? 0);
    return Math.round(ms);
  }

  async reset(): Promise<void> {
    await this.client.query('select pg_stat_statements_reset()');
  }

  /** Statements run in `database` since the last reset, but for those whose text contains `exclude`. */
  async read(database: string, exclude: string, top = 10): Promise<StatementCounts> {
    const where = `where s.dbid = (select oid from pg_database where datname = $1) and strpos(s.query, $2) = 0`;
    const total = await this.client.query<{ calls: string | null; ms: number | null }>(
      `select sum(s.calls)::bigint as calls, sum(s.total_exec_time) as ms from pg_stat_statements s ${where}`,
      [database, exclude],
    );
    const rows = await this.client.query<{ calls: string; mean: number; query: string }>(
      `select s.calls::bigint as calls, s.mean_exec_time as mean, s.query from pg_stat_statements s ${where} order by s.calls desc limit ${top}`,
      [database, exclude],
    );
    return {
      calls: Number(total.rows[0]?.calls ?? 0),
      execMs: Math.round(total.rows[0]?.ms ?? 0),
      top: rows.rows.map((r) => ({ calls: Number(r.calls), meanMs: Math.round(r.mean * 1000) / 1000, query: r.query.replace(/\s+/g, ' ').slice(0, 160) })),
    };
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => {});
  }
}
