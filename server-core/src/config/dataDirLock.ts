import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { sqliteNativeBinding } from '../db/dialects/sqlite/nativeBinding.js';

export class DataDirInUseError extends Error {}

export interface DataDirLock {
  release(): void;
}

/**
 * One `shoal run` per data dir. The lock is an exclusive SQLite lock (an fcntl lock the
 * kernel drops when the process dies however it dies, so no stale lock survives a crash)
 * on `<data-dir>/run.lock`; who holds it is written beside it for the refusal message.
 * Only `shoal run` takes it: the other commands work while a node runs.
 */
export function lockDataDir(dataDir: string, describe: string): DataDirLock {
  const file = path.join(dataDir, 'run.lock');
  const holderFile = `${file}.holder`;
  const db = new Database(file, { timeout: 0, nativeBinding: sqliteNativeBinding() });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = MEMORY'); // no journal file beside it
    fs.chmodSync(file, 0o600);
    // The first write takes the exclusive lock; locking_mode keeps it until the connection closes.
    db.exec('create table if not exists lock (n integer); delete from lock; insert into lock values (1)');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
    let holder = 'another process';
    try {
      holder = fs.readFileSync(holderFile, 'utf8').trim() || holder;
    } catch {
      // not written yet
    }
    throw new DataDirInUseError(`data dir ${dataDir} is in use by ${holder}; stop it first, or give this node its own --data-dir`);
  }
  fs.writeFileSync(holderFile, `${describe} (pid ${process.pid}, since ${new Date().toISOString()})\n`, { mode: 0o600 });
  return {
    release() {
      fs.rmSync(holderFile, { force: true });
      db.close();
    },
  };
}
