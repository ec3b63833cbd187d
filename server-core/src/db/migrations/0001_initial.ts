import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';
import type { ShoalDialect } from '../dialects/dialect.js';

/** Text columns that are indexed or compared get a bounded length so SQL Server can index them. */
export async function up(db: Kysely<any>, dialect: ShoalDialect): Promise<void> {
  const id = dialect.autoIncrementType;
  const text = sql.raw(dialect.longTextType);
  const idColumn = (c: ColumnDefinitionBuilder) => dialect.autoIncrementedKey(c);

  await db.schema
    .createTable('users')
    .addColumn('id', id, idColumn)
    .addColumn('username', 'varchar(200)', (c) => c.notNull().unique())
    .addColumn('password_hash', 'varchar(500)', (c) => c.notNull())
    .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('token_hash', 'varchar(100)', (c) => c.primaryKey())
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', id, idColumn)
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('key_hash', 'varchar(100)', (c) => c.notNull().unique())
    .addColumn('key_prefix', 'varchar(20)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();

  await db.schema
    .createTable('nodes')
    .addColumn('name', 'varchar(200)', (c) => c.primaryKey())
    .addColumn('version', 'varchar(50)', (c) => c.notNull())
    .addColumn('url', 'varchar(500)', (c) => c.notNull())
    .addColumn('task_cap', 'integer', (c) => c.notNull())
    .addColumn('drain', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen', 'bigint', (c) => c.notNull())
    .addColumn('stopped_at', 'bigint')
    .execute();

  await db.schema
    .createTable('tasks')
    .addColumn('id', id, idColumn)
    .addColumn('kind', 'varchar(100)', (c) => c.notNull())
    .addColumn('description', 'varchar(1000)', (c) => c.notNull())
    .addColumn('arguments', text, (c) => c.notNull())
    .addColumn('state', 'varchar(20)', (c) => c.notNull())
    .addColumn('concurrency_tag', 'varchar(400)')
    .addColumn('node_name', 'varchar(200)')
    .addColumn('claim_token', 'varchar(100)')
    .addColumn('queue_time', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('start_time', 'bigint')
    .addColumn('completed_time', 'bigint')
    .addColumn('error_message', text)
    .addColumn('created_by', 'varchar(200)')
    .execute();
  await db.schema.createIndex('tasks_queue').on('tasks').columns(['state', 'queue_time', 'id']).execute();
  await db.schema.createIndex('tasks_node').on('tasks').columns(['node_name', 'state']).execute();
  await db.schema.createIndex('tasks_tag').on('tasks').columns(['concurrency_tag', 'state']).execute();

  await db.schema
    .createTable('events')
    .addColumn('id', id, idColumn)
    .addColumn('occurred', 'bigint', (c) => c.notNull())
    .addColumn('username', 'varchar(200)')
    .addColumn('action', 'varchar(100)', (c) => c.notNull())
    .addColumn('target', 'varchar(400)')
    .addColumn('details', text)
    .addColumn('client_ip', 'varchar(100)')
    .execute();
  await db.schema.createIndex('events_occurred').on('events').columns(['occurred']).execute();

  await db.schema
    .createTable('settings')
    .addColumn('key', 'varchar(200)', (c) => c.primaryKey())
    .addColumn('value', text, (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
