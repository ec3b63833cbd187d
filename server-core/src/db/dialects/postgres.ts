import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Schema } from '../schema.js';
import type { ShoalDb, ShoalDialect } from './dialect.js';
import { redactUrl } from '../redactUrl.js';

// bigint (int8) and count(*) come back as strings by default; every such value here is an
// epoch-millisecond time or a count, well inside Number's exact range.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export const postgresDialect: ShoalDialect = {
  name: 'postgres',
  // clock_timestamp, not now(): now() is frozen for the whole transaction.
  now: () => sql<number>`(floor(extract(epoch from clock_timestamp()) * 1000))::bigint`,
  longTextType: 'text',
  autoIncrementType: 'bigserial',
};

export function openPostgres(url: string, options: { poolSize?: number; onError?: (err: Error) => void } = {}): ShoalDb {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    application_name: 'shoal',
  });
  // A client losing its connection (database restart) must not crash the node: the pool
  // catches it for idle clients, this listener for clients checked out between queries.
  const onError = (err: Error) => options.onError?.(err);
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: postgresDialect,
    location: redactUrl(url),
    close: () => db.destroy(),
  };
}
