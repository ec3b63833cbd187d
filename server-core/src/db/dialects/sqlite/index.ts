import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { Schema } from '../../schema.js';
import type { OpenOptions, ShoalDb, ShoalDialect } from '../dialect.js';
import { sqliteNativeBinding } from './nativeBinding.js';

export const sqliteDialect: ShoalDialect = {
  name: 'sqlite',
  now: () => sql<number>`cast(round((julianday('now') - 2440587.5) * 86400000) as integer)`,
  longTextType: 'text',
  autoIncrementType: 'integer',
  autoIncrementedKey: (c) => c.primaryKey().autoIncrement(),
  // One process owns a SQLite file; the poll only catches expiry and what the CLI queued.
  wakeUpPollMs: 1000,
  sharedByNodes: false,
  async claim(db, q) {
    // One statement in its own implicit transaction: SQLite takes the write lock when a
    // writing statement starts, before its subqueries read (as BEGIN IMMEDIATE would), so two
    // connections can never both see a task as free. Unlike BEGIN … COMMIT across awaits, it
    // never holds the lock while this thread waits.
    const { rows } = await sql<Record<string, unknown>>`
      update tasks set ${q.assignments}
       where id in (
         select t.id from tasks t
          where ${q.eligible}
          order by t.queue_time, t.id
          limit max(0, coalesce(${q.slots}, 0)))
      returning *`.execute(db);
    return rows;
  },
  async claimAgentWork(db, q) {
    // One writing statement: SQLite's write lock covers its subquery (see claim).
    const { rows } = await sql<Record<string, unknown>>`
      update agent_work set ${q.assignments}
       where id in (select w.id from agent_work w where w.target_id = ${q.targetId} and w.state = 'Pending' order by w.id limit ${q.limit})
      returning *`.execute(db);
    return rows;
  },
  returningInserted: (q) => q.returningAll() as typeof q,
  notify: async () => {},
  withExplicitKeys: (_trx, _table, insert) => insert(),
  // An INTEGER PRIMARY KEY continues from the highest key by itself.
  advanceIdSequence: async () => {},
};

/** Opens a SQLite file (made with its folder when missing). Statement timeouts do not apply to a local file. */
export function openSqlite(file: string, _options: OpenOptions = {}): ShoalDb {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  let database: Database.Database;
  try {
    database = new Database(file, { nativeBinding: sqliteNativeBinding() });
  } catch (err) {
    throw new Error(`cannot open the SQLite database ${path.resolve(file)}: ${(err as Error).message}`, { cause: err });
  }
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database }) });
  const shoal: ShoalDb = {
    db,
    dialect: sqliteDialect,
    location: path.resolve(file),
    listen: () => undefined,
    // Delegates to this handle (its `db` included), so a test's spy on one sees the other.
    forLeasePaths: () => Object.create(shoal, { close: { value: async () => {} } }) as ShoalDb,
    close: () => db.destroy(),
  };
  return shoal;
}
