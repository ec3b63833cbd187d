import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Schema } from '../../schema.js';
import { redactUrl } from '../../redactUrl.js';
import type { OpenOptions, ShoalDb, ShoalDialect } from '../dialect.js';
import { inlineParameters } from './inlineParameters.js';
import { listenOnOwnConnection } from './listen.js';
import { poolDiscardingBrokenClients } from './pool.js';

// bigint (int8) and count(*) come back as strings by default; every such value here is an
// epoch-millisecond time or a count, well inside Number's exact range.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export const postgresDialect: ShoalDialect = {
  name: 'postgres',
  // clock_timestamp, not now(): now() is frozen for the whole transaction.
  now: () => sql<number>`(floor(extract(epoch from clock_timestamp()) * 1000))::bigint`,
  longTextType: 'text',
  autoIncrementType: 'bigserial',
  autoIncrementedKey: (c) => c.primaryKey(),
  // LISTEN/NOTIFY wakes nodes at once; the poll is only a safety net.
  wakeUpPollMs: 1000,
  sharedByNodes: true,
  async claim(db, q) {
    // Claims for one node name take turns on a lock of their own (not the node's row, which
    // the heartbeat updates: renewing the lease must never wait for a claim); FOR UPDATE SKIP
    // LOCKED then skips rows another node is claiming right now. Both statements go as one
    // simple query: one round trip and one implicit transaction holding the lock, and the
    // claim's snapshot is taken once the lock is held (READ COMMITTED takes one per
    // statement), so it counts every earlier claim of this node.
    const claim = sql<Record<string, unknown>>`
      select pg_advisory_xact_lock(hashtext(${`shoal.claim:${q.nodeName}`}));
      with picked as (
        select t.id from tasks t
         where ${q.eligible}
         order by t.queue_time, t.id
         limit greatest(0, coalesce(${q.slots}, 0))
         for update skip locked)
      update tasks set ${q.assignments}
        from picked
       where tasks.id = picked.id
      returning tasks.*`.compile(db);
    const { rows } = await sql.raw<Record<string, unknown>>(inlineParameters(claim)).execute(db);
    return rows;
  },
  async claimAgentWork(db, q) {
    const { rows } = await sql<Record<string, unknown>>`
      with picked as (
        select w.id from agent_work w
         where w.target_id = ${q.targetId} and w.state = 'Pending'
         order by w.id limit ${q.limit}
         for update skip locked)
      update agent_work set ${q.assignments}
        from picked
       where agent_work.id = picked.id
      returning agent_work.*`.execute(db);
    return rows;
  },
  returningInserted: (q) => q.returningAll() as typeof q,
  async notify(db, channel, payload = '') {
    await sql`select pg_notify(${channel}, ${payload})`.execute(db);
  },
  withExplicitKeys: (_trx, _table, insert) => insert(),
  async advanceIdSequence(db, table, key) {
    await sql`select setval(pg_get_serial_sequence(${table}, ${key}), coalesce((select max(${sql.ref(key)}) from ${sql.table(table)}), 0) + 1, false)`.execute(db);
  },
};

export function openPostgres(url: string, options: OpenOptions = {}): ShoalDb {
  const timeout = options.statementTimeoutMs;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: timeout ?? 5000,
    idleTimeoutMillis: 30_000,
    application_name: 'shoal',
    // A peer that vanished (partition, crashed host) is noticed by the kernel, not after hours.
    keepAlive: true,
    keepAliveInitialDelayMillis: 1000,
    // Lease paths: the server cancels a slow statement, and the client gives up on one whose
    // answer never comes (a partition) a little later.
    ...(timeout ? { statement_timeout: timeout, lock_timeout: timeout, query_timeout: timeout + 250 } : {}),
  });
  // A client losing its connection (database restart) must not crash the node: the pool
  // catches it for idle clients, this listener for clients checked out between queries.
  const onError = (err: Error) => options.onError?.(err);
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool: poolDiscardingBrokenClients(pool) }) });
  return {
    db,
    dialect: postgresDialect,
    location: redactUrl(url),
    listen: (channel, onChange, onErr) => listenOnOwnConnection(url, channel, onChange, onErr),
    forLeasePaths: (statementTimeoutMs) => openPostgres(url, { poolSize: 4, onError: options.onError, statementTimeoutMs }),
    close: () => db.destroy(),
  };
}
