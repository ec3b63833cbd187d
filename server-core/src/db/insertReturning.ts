import type { InsertObject, Selectable } from 'kysely';
import type { ShoalDb } from './dialects/dialect.js';
import type { Schema } from './schema.js';

/** Inserts one row and returns it as stored. */
export async function insertReturning<T extends keyof Schema & string>(
  { db, dialect }: ShoalDb,
  table: T,
  values: InsertObject<Schema, T>,
): Promise<Selectable<Schema[T]>> {
  const q = dialect.returningInserted(db.insertInto(table).values(values as any));
  return (await q.executeTakeFirstOrThrow()) as unknown as Selectable<Schema[T]>;
}
