import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { Schema } from '../schema.js';
import type { ShoalDb, ShoalDialect } from './dialect.js';

export const sqliteDialect: ShoalDialect = {
  name: 'sqlite',
  now: () => sql<number>`cast(round((julianday('now') - 2440587.5) * 86400000) as integer)`,
  longTextType: 'text',
  autoIncrementType: 'integer',
};

export function openSqlite(file: string): ShoalDb {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database }) });
  return {
    db,
    dialect: sqliteDialect,
    location: path.resolve(file),
    close: () => db.destroy(),
  };
}
