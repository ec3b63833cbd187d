import path from 'node:path';
import Database from 'better-sqlite3';

export interface BaselineResult {
  ops: number;
  ms: number;
  opsPerSec: number;
}

/**
 * The floor under any SQLite-backed queue: `ops` transactions of one insert and one
 * update each, on a file with the node's pragmas (WAL, synchronous NORMAL), with
 * better-sqlite3 directly: no Kysely, no event loop hops, no files besides the database.
 */
export function sqliteBaseline(dir: string, ops: number, name = 'baseline'): BaselineResult {
  const db = new Database(path.join(dir, `${name}.db`));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    db.exec(`create table jobs (
      id integer primary key autoincrement, kind varchar(100) not null, arguments text not null,
      state varchar(20) not null, queue_time bigint not null, completed_time bigint)`);
    db.exec('create index jobs_queue on jobs (state, queue_time, id)');
    const insert = db.prepare("insert into jobs (kind, arguments, state, queue_time) values ('noop', '{}', 'Queued', ?)");
    const update = db.prepare("update jobs set state = 'Success', completed_time = ? where id = ?");
    const one = db.transaction(() => {
      const { lastInsertRowid } = insert.run(Date.now());
      update.run(Date.now(), lastInsertRowid);
    });
    const t0 = performance.now();
    for (let i = 0; i < ops; i++) one();
    const ms = performance.now() - t0;
    return { ops, ms: Math.round(ms), opsPerSec: Math.round((ops / ms) * 1000) };
  } finally {
    db.close();
  }
}
