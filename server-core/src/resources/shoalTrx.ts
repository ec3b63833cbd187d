import type { Kysely } from 'kysely';
import type { ShoalDb } from '../db/dialects/dialect.js';
import type { Schema } from '../db/schema.js';

/**
 * Runs `work` in one transaction, handing it the same ShoalDb seen through the transaction,
 * so the query modules (which take a ShoalDb) join the unit of work: write, audit and
 * enqueue commit together or not at all.
 */
export function unitOfWork<T>(shoal: ShoalDb, work: (trx: ShoalDb) => Promise<T>): Promise<T> {
  return shoal.db.transaction().execute((trx: Kysely<Schema>) => work({ ...shoal, db: trx }));
}
