import { sql, type Kysely } from 'kysely';
import type { ShoalDialect } from '../dialects/dialect.js';

/**
 * Agents: the cluster's communication certificate (its key sealed with the master key, so
 * every node presents the same one), deployment targets with their pinned thumbprints,
 * one-time registration tokens (stored as hashes), and the work agents poll for with its
 * log chunks (unique per work and sequence number, so a retried post is taken once).
 */
export async function up(db: Kysely<any>, dialect: ShoalDialect): Promise<void> {
  const id = dialect.autoIncrementType;
  const text = sql.raw(dialect.longTextType);
  const key = (c: any) => dialect.autoIncrementedKey(c);

  await db.schema
    .createTable('comms_certificates')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('certificate', text, (c) => c.notNull())
    .addColumn('sealed_key', text, (c) => c.notNull())
    .addColumn('thumbprint', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('targets')
    .addColumn('id', id, key)
    .addColumn('space_id', 'varchar(50)', (c) => c.notNull())
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('name_key', 'varchar(200)', (c) => c.notNull())
    .addColumn('description', 'varchar(2000)', (c) => c.notNull().defaultTo(''))
    .addColumn('mode', 'varchar(20)', (c) => c.notNull())
    .addColumn('environment_ids', text, (c) => c.notNull())
    .addColumn('roles', text, (c) => c.notNull())
    .addColumn('thumbprint', 'varchar(64)', (c) => c.notNull())
    .addColumn('status', 'varchar(20)', (c) => c.notNull())
    .addColumn('status_summary', 'varchar(2000)', (c) => c.notNull())
    .addColumn('is_disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('first_contact', 'bigint')
    .addColumn('last_contact', 'bigint')
    .addColumn('last_health_check', 'bigint')
    .addColumn('agent_version', 'varchar(50)')
    .addColumn('os', 'varchar(200)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('targets_name').on('targets').columns(['space_id', 'name_key']).unique().execute();
  await db.schema.createIndex('targets_thumbprint').on('targets').columns(['thumbprint']).unique().execute();

  await db.schema
    .createTable('target_registration_tokens')
    .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('space_id', 'varchar(50)', (c) => c.notNull())
    .addColumn('environment_ids', text, (c) => c.notNull())
    .addColumn('roles', text, (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('created_by', 'varchar(200)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('agent_work')
    .addColumn('id', id, key)
    .addColumn('target_id', 'bigint', (c) => c.notNull())
    .addColumn('task_id', 'bigint')
    .addColumn('activity_id', 'bigint')
    .addColumn('kind', 'varchar(20)', (c) => c.notNull())
    .addColumn('payload', text, (c) => c.notNull())
    // Pending → Running (claimed: token, node, lease) → Success | Failed | Canceled.
    .addColumn('state', 'varchar(20)', (c) => c.notNull())
    .addColumn('claim_token', 'varchar(64)')
    .addColumn('claimed_by', 'varchar(200)')
    .addColumn('lease_expires_at', 'bigint')
    .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('exit_code', 'integer')
    .addColumn('error', 'varchar(4000)')
    .addColumn('result', text)
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('ended_at', 'bigint')
    .execute();
  await db.schema.createIndex('agent_work_pending').on('agent_work').columns(['target_id', 'state']).execute();
  await db.schema.createIndex('agent_work_task').on('agent_work').columns(['task_id']).execute();

  await db.schema
    .createTable('agent_work_logs')
    .addColumn('id', id, key)
    .addColumn('work_id', 'bigint', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('lines', text, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('agent_work_logs_seq').on('agent_work_logs').columns(['work_id', 'seq']).unique().execute();
}
