import type { InsertObject, Selectable } from 'kysely';
import type { ShoalDb } from './dialects/dialect.js';
import type { Schema } from './schema.js';

/** Inserts one row and returns it as stored: RETURNING, or OUTPUT inserted.* on SQL Server. */
export async function insertReturning<T extends keyof Schema & string>(
  { db, dialect }: ShoalDb,
  table: T,
  values: InsertObject<Schema, T>,
): Promise<Selectable<Schema[T]>> {
  const q = db.insertInto(table).values(values as any);
  const withRow = dialect.name === 'mssql' ? q.output('inserted.*' as any) : q.returningAll();
  return (await withRow.executeTakeFirstOrThrow()) as Selectable<Schema[T]>;
}
