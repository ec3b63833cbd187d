import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';
import type { ShoalDialect } from '../dialects/dialect.js';

/** The built-in teams every install starts with; `Administrators` takes over the old admin flag. */
export const BUILT_IN_TEAMS = [
  { name: 'Administrators', description: 'Everything, including users, nodes, storage, agents and scripts on the server.', roles: 'Admin' },
  { name: 'Viewers', description: 'Read everything but the audit log and user administration.', roles: 'Viewer' },
  { name: 'Deployers', description: 'Push packages, create releases, deploy and run runbooks in every environment.', roles: 'Deployer' },
  { name: 'Project editors', description: 'Edit projects, deployment processes and variables.', roles: 'ProjectEditor' },
] as const;

/**
 * Users, teams and roles; disabled users; expiring and read-only API keys; idle session
 * expiry; login throttling (shared by every node of a cluster).
 */
export async function up(db: Kysely<any>, dialect: ShoalDialect): Promise<void> {
  const id = dialect.autoIncrementType;
  const text = sql.raw(dialect.longTextType);
  const idColumn = (c: ColumnDefinitionBuilder) => dialect.autoIncrementedKey(c);

  await db.schema
    .createTable('teams')
    .addColumn('id', id, idColumn)
    .addColumn('name', 'varchar(200)', (c) => c.notNull().unique())
    .addColumn('description', 'varchar(1000)', (c) => c.notNull())
    // Comma-separated role names; environment ids as JSON, null meaning every environment.
    .addColumn('roles', 'varchar(200)', (c) => c.notNull())
    .addColumn('environment_ids', text)
    .addColumn('built_in', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('team_members')
    .addColumn('id', id, idColumn)
    .addColumn('team_id', 'bigint', (c) => c.notNull())
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('team_members_unique').on('team_members').columns(['team_id', 'user_id']).unique().execute();
  await db.schema.createIndex('team_members_user').on('team_members').columns(['user_id']).execute();

  await db.schema.alterTable('users').addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('api_keys').addColumn('expires_at', 'bigint').execute();
  await db.schema.alterTable('api_keys').addColumn('read_only', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('sessions').addColumn('last_used_at', 'bigint').execute();
  await db.schema.createIndex('sessions_expiry').on('sessions').columns(['expires_at']).execute();

  await db.schema
    .createTable('login_throttle')
    .addColumn('throttle_key', 'varchar(300)', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('locked_until', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('audited_at', 'bigint', (c) => c.notNull())
    .execute();

  const now = dialect.now();
  for (const t of BUILT_IN_TEAMS) {
    await db.insertInto('teams').values({ ...t, environment_ids: null, built_in: 1, created_at: now }).execute();
  }
  const admins = await db.selectFrom('teams').select('id').where('name', '=', 'Administrators').executeTakeFirstOrThrow();
  await db
    .insertInto('team_members')
    .columns(['team_id', 'user_id'])
    .expression(db.selectFrom('users').select([sql`${admins.id}`.as('team_id'), 'id']).where('is_admin', '=', 1))
    .execute();
}
