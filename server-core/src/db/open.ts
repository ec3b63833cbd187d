import type { ShoalDb } from './dialects/dialect.js';
import { openSqlite } from './dialects/sqlite.js';

/** Opens the database named by a URL: a file path (or `sqlite:` / `file:` URL) means SQLite. */
export async function openDatabase(url: string): Promise<ShoalDb> {
  if (/^(postgres|postgresql|sqlserver|mssql):\/\//i.test(url)) {
    throw new Error(`database URL ${redactUrl(url)}: only SQLite is supported by this build`);
  }
  return openSqlite(url.replace(/^(sqlite|file):(\/\/)?/i, ''));
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
