import type { OpenOptions, ShoalDb } from './dialects/dialect.js';
import { openPostgres } from './dialects/postgres/index.js';
import { openSqlite } from './dialects/sqlite/index.js';
import { redactUrl } from './redactUrl.js';

export { redactUrl };
export type { OpenOptions };

/** Which database a URL names, by its scheme; anything else is a SQLite file path. */
const DATABASES = [
  { scheme: /^postgres(ql)?:\/\//i, server: true, open: async (url: string, o: OpenOptions) => openPostgres(url, o) },
  // Loaded only when used: tedious is large and most installs never need it.
  { scheme: /^(sqlserver|mssql):\/\//i, server: true, open: async (url: string, o: OpenOptions) => (await import('./dialects/mssql/index.js')).openMssql(url, o) },
] as const;

/** Whether the URL names a server database (PostgreSQL, SQL Server) that several nodes can share. */
export const isServerDatabaseUrl = (url: string): boolean => DATABASES.some((d) => d.server && d.scheme.test(url));

/** Opens the database named by a URL: postgres://…, sqlserver://… or mssql://…, else a SQLite file path. */
export async function openDatabase(url: string, options: OpenOptions = {}): Promise<ShoalDb> {
  const server = DATABASES.find((d) => d.scheme.test(url));
  if (server) return server.open(url, options);
  return openSqlite(url.replace(/^(sqlite|file):(\/\/)?/i, ''), options);
}
