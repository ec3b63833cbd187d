import { sql, type Kysely } from 'kysely';
import type { ShoalDialect } from '../dialects/dialect.js';

/**
 * A short task's whole log, stored with its outcome (see Executor.record): a task that ends
 * before its log's first flush writes no file. Null for a log kept as a file.
 */
export async function up(db: Kysely<any>, dialect: ShoalDialect): Promise<void> {
  await db.schema.alterTable('tasks').addColumn('log_text', sql.raw(dialect.longTextType)).execute();
}
