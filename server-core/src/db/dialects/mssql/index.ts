import { Kysely, MssqlDialect, sql } from 'kysely';
import * as tarn from 'tarn';
import * as tedious from 'tedious';
import type { Schema } from '../../schema.js';
import { redactUrl } from '../../redactUrl.js';
import type { OpenOptions, ShoalDb, ShoalDialect } from '../dialect.js';
import { MssqlPagingPlugin } from './paging.js';

export const mssqlDialect: ShoalDialect = {
  name: 'mssql',
  now: () => sql<number>`datediff_big(millisecond, '1970-01-01', sysutcdatetime())`,
  longTextType: 'nvarchar(max)',
  autoIncrementType: 'bigint',
  autoIncrementedKey: (c) => c.primaryKey().identity(),
  // No LISTEN/NOTIFY: other nodes' queued tasks are found by a short poll.
  wakeUpPollMs: 100,
  sharedByNodes: true,
  claim(db, q) {
    // Claims for one node name take turns on an application lock (not the node's row, which
    // the heartbeat updates: renewing the lease must never wait for a claim), then READPAST
    // skips rows locked by another node's claim and UPDLOCK holds the picked ones.
    return db.transaction().execute(async (trx) => {
      await sql`exec sp_getapplock @Resource = ${`shoal.claim:${q.nodeName}`}, @LockMode = 'Exclusive', @LockOwner = 'Transaction'`.execute(trx);
      const { rows } = await mssqlClaimStatement(q).execute(trx);
      return rows;
    });
  },
  async claimAgentWork(db, q) {
    return (await mssqlAgentWorkClaimStatement(q).execute(db)).rows;
  },
  returningInserted: (q) => q.output('inserted.*' as any) as typeof q,
  notify: async () => {},
  async withExplicitKeys(trx, table, insert) {
    await sql`set identity_insert ${sql.table(table)} on`.execute(trx);
    const result = await insert();
    await sql`set identity_insert ${sql.table(table)} off`.execute(trx);
    return result;
  },
  // Identity columns continue from the highest inserted value by themselves.
  advanceIdSequence: async () => {},
};

/** The claim as one statement (exported for the compile-only checks). */
export function mssqlClaimStatement(q: import('../dialect.js').ClaimQuery) {
  return sql<Record<string, unknown>>`
    with picked as (
      select top (case when coalesce(${q.slots}, 0) > 0 then ${q.slots} else 0 end) t.*
        from tasks t with (updlock, readpast, rowlock)
       where ${q.eligible}
       order by t.queue_time, t.id)
    update picked set ${q.assignments}
    output inserted.*`;
}

/** A target's pending agent work claimed in one statement (exported for the compile-only checks). */
export function mssqlAgentWorkClaimStatement(q: import('../dialect.js').AgentWorkClaim) {
  return sql<Record<string, unknown>>`
    with picked as (
      select top (${q.limit}) w.* from agent_work w with (updlock, readpast, rowlock)
       where w.target_id = ${q.targetId} and w.state = 'Pending'
       order by w.id)
    update picked set ${q.assignments}
    output inserted.*`;
}

/** `sqlserver://user:password@host:1433/database?encrypt=true&trustServerCertificate=true` */
export function parseMssqlUrl(url: string, statementTimeoutMs?: number): tedious.ConnectionConfiguration {
  const u = new URL(url.replace(/^(sqlserver|mssql):/i, 'http:'));
  const flag = (name: string, dflt: boolean) => (u.searchParams.has(name) ? u.searchParams.get(name) === 'true' : dflt);
  return {
    server: u.hostname,
    authentication: {
      type: 'default',
      options: { userName: decodeURIComponent(u.username), password: decodeURIComponent(u.password) },
    },
    options: {
      port: u.port ? Number(u.port) : 1433,
      database: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'shoal',
      encrypt: flag('encrypt', true),
      trustServerCertificate: flag('trustServerCertificate', false),
      connectTimeout: statementTimeoutMs ?? 5000,
      // tedious's default is 15 s; long work has no limit, lease paths their own.
      requestTimeout: statementTimeoutMs ?? 0,
    },
  };
}

/**
 * SQL Server through tedious and tarn. Written against Kysely's MSSQL dialect and checked by
 * the conformance suite when SHOAL_TEST_MSSQL_URL is set; no SQL Server runs in this project's CI.
 */
export function openMssql(url: string, options: OpenOptions = {}): ShoalDb {
  const config = parseMssqlUrl(url, options.statementTimeoutMs);
  const db = new Kysely<Schema>({
    plugins: [new MssqlPagingPlugin()],
    dialect: new MssqlDialect({
      tarn: { ...tarn, options: { min: 0, max: options.poolSize ?? 10, acquireTimeoutMillis: options.statementTimeoutMs ?? 30_000 } },
      tedious: { ...tedious, connectionFactory: () => new tedious.Connection(config) },
    }),
  });
  return {
    db,
    dialect: mssqlDialect,
    location: redactUrl(url),
    listen: () => undefined,
    forLeasePaths: (statementTimeoutMs) => openMssql(url, { poolSize: 4, onError: options.onError, statementTimeoutMs }),
    close: () => db.destroy(),
  };
}
