import { Kysely, MssqlDialect, sql } from 'kysely';
import * as tarn from 'tarn';
import * as tedious from 'tedious';
import type { Schema } from '../schema.js';
import { redactUrl } from '../redactUrl.js';
import type { ShoalDb, ShoalDialect } from './dialect.js';
import { MssqlPagingPlugin } from './mssqlPaging.js';

export const mssqlDialect: ShoalDialect = {
  name: 'mssql',
  now: () => sql<number>`datediff_big(millisecond, '1970-01-01', sysutcdatetime())`,
  longTextType: 'nvarchar(max)',
  autoIncrementType: 'bigint',
};

/** `sqlserver://user:password@host:1433/database?encrypt=true&trustServerCertificate=true` */
export function parseMssqlUrl(url: string): tedious.ConnectionConfiguration {
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
      connectTimeout: 5000,
    },
  };
}

/**
 * SQL Server through tedious and tarn. Written against Kysely's MSSQL dialect and checked by
 * the conformance suite when SHOAL_TEST_MSSQL_URL is set; no SQL Server runs in this project's CI.
 */
export function openMssql(url: string, options: { poolSize?: number } = {}): ShoalDb {
  const config = parseMssqlUrl(url);
  const db = new Kysely<Schema>({
    plugins: [new MssqlPagingPlugin()],
    dialect: new MssqlDialect({
      tarn: { ...tarn, options: { min: 0, max: options.poolSize ?? 10 } },
      tedious: { ...tedious, connectionFactory: () => new tedious.Connection(config) },
    }),
  });
  return { db, dialect: mssqlDialect, location: redactUrl(url), close: () => db.destroy() };
}
