import path from 'node:path';
import Database from 'better-sqlite3';

/** Opens a standalone node's SQLite file (<data-dir>/shoal.db) read-only, runs `fn`, closes it. */
export function readShoalDb<T>(dataDir: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path.join(dataDir, 'shoal.db'), { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}
