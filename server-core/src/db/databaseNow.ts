import type { ShoalDb } from './dialects/dialect.js';

/** The database's clock now, in epoch milliseconds (the clock every node agrees on). */
export async function databaseNow({ db, dialect }: ShoalDb): Promise<number> {
  return Number((await db.selectNoFrom(dialect.now().as('now')).executeTakeFirstOrThrow()).now);
}
