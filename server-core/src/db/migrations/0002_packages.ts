import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';
import type { ShoalDialect } from '../dialects/dialect.js';

/**
 * Spaces (with the Default space, Spaces-1), the package index, and what each node last
 * found when it checked that it shares storage with the others.
 */
export async function up(db: Kysely<any>, dialect: ShoalDialect): Promise<void> {
  const id = dialect.autoIncrementType;
  const text = sql.raw(dialect.longTextType);
  const idColumn = (c: ColumnDefinitionBuilder) => dialect.autoIncrementedKey(c);

  await db.schema
    .createTable('spaces')
    .addColumn('id', 'varchar(50)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(200)', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.insertInto('spaces').values({ id: 'Spaces-1', name: 'Default', created_at: dialect.now() }).execute();

  await db.schema
    .createTable('packages')
    .addColumn('id', id, idColumn)
    .addColumn('space_id', 'varchar(50)', (c) => c.notNull())
    .addColumn('package_id', 'varchar(100)', (c) => c.notNull())
    // Lower-cased id and normalized version: what makes two uploads "the same version",
    // compared the same way on every database whatever its collation.
    .addColumn('package_key', 'varchar(100)', (c) => c.notNull())
    .addColumn('version', 'varchar(200)', (c) => c.notNull())
    .addColumn('version_key', 'varchar(200)', (c) => c.notNull())
    .addColumn('file_name', 'varchar(300)', (c) => c.notNull())
    .addColumn('file_extension', 'varchar(20)', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'varchar(64)', (c) => c.notNull())
    .addColumn('published_at', 'bigint', (c) => c.notNull())
    .addColumn('published_by', 'varchar(200)')
    .execute();
  await db.schema.createIndex('packages_version_unique').on('packages').columns(['space_id', 'package_key', 'version_key']).unique().execute();

  await db.schema.alterTable('nodes').addColumn('storage_nonce', 'varchar(100)').execute();
  await db.schema.alterTable('nodes').addColumn('storage_status', text).execute();
}
