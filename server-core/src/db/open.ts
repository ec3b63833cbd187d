import type { ShoalDb } from './dialects/dialect.js';
import { openPostgres } from './dialects/postgres.js';
import { openSqlite } from './dialects/sqlite.js';
import { redactUrl } from './redactUrl.js';

export { redactUrl };

export interface OpenOptions {
  /** Connections in the pool (server databases only). */
  poolSize?: number;
  onError?: (err: Error) => void;
}

export type DatabaseKind = 'sqlite' | 'postgres' | 'mssql';

export function databaseKind(url: string): DatabaseKind {
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgres';
  if (/^(sqlserver|mssql):\/\//i.test(url)) return 'mssql';
  return 'sqlite';
}

/** Opens the database named by a URL: postgres://…, sqlserver://… or mssql://…, else a SQLite file path. */
export async function openDatabase(url: string, options: OpenOptions = {}): Promise<ShoalDb> {
  switch (databaseKind(url)) {
    case 'postgres':
      return openPostgres(url, options);
    case 'mssql': {
      const { openMssql } = await import('./dialects/mssql.js');
      return openMssql(url, options);
    }
    case 'sqlite':
      return openSqlite(url.replace(/^(sqlite|file):(\/\/)?/i, ''));
  }
}
