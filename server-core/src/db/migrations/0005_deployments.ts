import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';
import type { ShoalDialect } from '../dialects/dialect.js';

/**
 * The deployment model: environments, lifecycles, projects (process and variables as JSON
 * documents), library variable sets, releases (immutable snapshots), deployments, runbooks
 * with published snapshots, scheduled triggers and their firings, manual interventions,
 * and the activity tree of deployment task logs. Ids are numeric keys that the API shows
 * with their prefix (`Environments-1`), like teams and tasks; names compare without case
 * through a lower-cased `name_key`.
 */
export async function up(db: Kysely<any>, dialect: ShoalDialect): Promise<void> {
  const id = dialect.autoIncrementType;
  const text = sql.raw(dialect.longTextType);
  const idColumn = (c: ColumnDefinitionBuilder) => dialect.autoIncrementedKey(c);
  const named = (table: string) =>
    db.schema
      .createTable(table)
      .addColumn('id', id, idColumn)
      .addColumn('space_id', 'varchar(50)', (c) => c.notNull())
      .addColumn('name', 'varchar(200)', (c) => c.notNull())
      .addColumn('name_key', 'varchar(200)', (c) => c.notNull())
      .addColumn('description', 'varchar(2000)', (c) => c.notNull().defaultTo(''));
  const stamps = <T extends { addColumn: any }>(t: T): T =>
    t.addColumn('created_at', 'bigint', (c: any) => c.notNull()).addColumn('updated_at', 'bigint', (c: any) => c.notNull());

  await stamps(named('environments').addColumn('sort_order', 'integer', (c) => c.notNull())).execute();
  await db.schema.createIndex('environments_name').on('environments').columns(['space_id', 'name_key']).unique().execute();

  // phases: JSON; null on a space's default lifecycle, whose phases are its environments in order.
  await stamps(named('lifecycles').addColumn('phases', text).addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))).execute();
  await db.schema.createIndex('lifecycles_name').on('lifecycles').columns(['space_id', 'name_key']).unique().execute();

  await stamps(
    named('library_variable_sets').addColumn('variables', text, (c) => c.notNull()),
  ).execute();
  await db.schema.createIndex('library_variable_sets_name').on('library_variable_sets').columns(['space_id', 'name_key']).unique().execute();

  await stamps(
    named('projects')
      .addColumn('lifecycle_id', 'bigint', (c) => c.notNull())
      .addColumn('process', text, (c) => c.notNull())
      .addColumn('variables', text, (c) => c.notNull())
      .addColumn('library_variable_set_ids', text, (c) => c.notNull()),
  ).execute();
  await db.schema.createIndex('projects_name').on('projects').columns(['space_id', 'name_key']).unique().execute();

  await db.schema
    .createTable('releases')
    .addColumn('id', id, idColumn)
    .addColumn('space_id', 'varchar(50)', (c) => c.notNull())
    .addColumn('project_id', 'bigint', (c) => c.notNull())
    .addColumn('version', 'varchar(200)', (c) => c.notNull())
    .addColumn('version_key', 'varchar(200)', (c) => c.notNull())
    .addColumn('notes', text, (c) => c.notNull())
    // The process, variables (sensitive values still encrypted) and package versions as they were.
    .addColumn('snapshot', text, (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'varchar(200)')
    .execute();
  await db.schema.createIndex('releases_version').on('releases').columns(['project_id', 'version_key']).unique().execute();

  await db.schema
    .createTable('deployments')
    .addColumn('id', id, idColumn)
    .addColumn('space_id', 'varchar(50)', (c) => c.notNull())
    .addColumn('project_id', 'bigint', (c) => c.notNull())
    .addColumn('release_id', 'bigint', (c) => c.notNull())
    .addColumn('environment_id', 'bigint', (c) => c.notNull())
    .addColumn('task_id', 'bigint', (c) => c.notNull().unique())
    .addColumn('comments', 'varchar(2000)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'varchar(200)')
    .execute();
  await db.schema.createIndex('deployments_release').on('deployments').columns(['release_id', 'environment_id']).execute();
  await db.schema.createIndex('deployments_project').on('deployments').columns(['project_id', 'environment_id']).execute();

  await stamps(
    named('runbooks')
      .addColumn('project_id', 'bigint', (c) => c.notNull())
      .addColumn('process', text, (c) => c.notNull())
      .addColumn('published_snapshot_id', 'bigint'),
  ).execute();
  await db.schema.createIndex('runbooks_name').on('runbooks').columns(['project_id', 'name_key']).unique().execute();

  await db.schema
    .createTable('runbook_snapshots')
    .addColumn('id', id, idColumn)
    .addColumn('runbook_id', 'bigint', (c) => c.notNull())
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('notes', 'varchar(2000)', (c) => c.notNull())
    .addColumn('snapshot', text, (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'varchar(200)')
    .execute();
  await db.schema.createIndex('runbook_snapshots_runbook').on('runbook_snapshots').columns(['runbook_id']).execute();

  await db.schema
    .createTable('runbook_runs')
    .addColumn('id', id, idColumn)
    .addColumn('space_id', 'varchar(50)', (c) => c.notNull())
    .addColumn('project_id', 'bigint', (c) => c.notNull())
    .addColumn('runbook_id', 'bigint', (c) => c.notNull())
    .addColumn('snapshot_id', 'bigint', (c) => c.notNull())
    .addColumn('environment_id', 'bigint', (c) => c.notNull())
    .addColumn('task_id', 'bigint', (c) => c.notNull().unique())
    .addColumn('trigger_id', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'varchar(200)')
    .execute();
  await db.schema.createIndex('runbook_runs_runbook').on('runbook_runs').columns(['runbook_id', 'environment_id']).execute();
  await db.schema.createIndex('runbook_runs_trigger').on('runbook_runs').columns(['trigger_id']).execute();

  await stamps(
    named('triggers')
      .addColumn('project_id', 'bigint', (c) => c.notNull())
      .addColumn('runbook_id', 'bigint', (c) => c.notNull())
      .addColumn('cron', 'varchar(200)', (c) => c.notNull())
      .addColumn('time_zone', 'varchar(100)', (c) => c.notNull())
      .addColumn('environment_ids', text, (c) => c.notNull())
      .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
      // The next due time (database clock); a node fires it by moving it forward, conditionally.
      .addColumn('next_due_at', 'bigint', (c) => c.notNull()),
  ).execute();
  await db.schema.createIndex('triggers_name').on('triggers').columns(['project_id', 'name_key']).unique().execute();
  await db.schema.createIndex('triggers_due').on('triggers').columns(['disabled', 'next_due_at']).execute();

  await db.schema
    .createTable('trigger_firings')
    .addColumn('id', id, idColumn)
    .addColumn('trigger_id', 'bigint', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('fired_at', 'bigint', (c) => c.notNull())
    .addColumn('node_name', 'varchar(200)', (c) => c.notNull())
    .addColumn('outcome', 'varchar(20)', (c) => c.notNull())
    .addColumn('message', 'varchar(2000)', (c) => c.notNull())
    .addColumn('task_ids', text, (c) => c.notNull())
    .execute();
  // A due time fires at most once, whichever node gets there.
  await db.schema.createIndex('trigger_firings_due').on('trigger_firings').columns(['trigger_id', 'due_at']).unique().execute();

  await db.schema
    .createTable('interruptions')
    .addColumn('id', id, idColumn)
    .addColumn('space_id', 'varchar(50)', (c) => c.notNull())
    .addColumn('task_id', 'bigint', (c) => c.notNull())
    .addColumn('activity_id', 'bigint', (c) => c.notNull())
    .addColumn('environment_id', 'bigint', (c) => c.notNull())
    .addColumn('title', 'varchar(400)', (c) => c.notNull())
    .addColumn('instructions', text, (c) => c.notNull())
    .addColumn('responsible_team_ids', text, (c) => c.notNull())
    .addColumn('state', 'varchar(20)', (c) => c.notNull())
    .addColumn('notes', 'varchar(2000)')
    .addColumn('submitted_by', 'varchar(200)')
    .addColumn('submitted_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('interruptions_task').on('interruptions').columns(['task_id']).execute();
  await db.schema.createIndex('interruptions_state').on('interruptions').columns(['space_id', 'state']).execute();

  await db.schema
    .createTable('task_activities')
    .addColumn('id', id, idColumn)
    .addColumn('task_id', 'bigint', (c) => c.notNull())
    .addColumn('parent_id', 'bigint')
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('kind', 'varchar(20)', (c) => c.notNull())
    .addColumn('name', 'varchar(400)', (c) => c.notNull())
    .addColumn('state', 'varchar(20)', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('ended_at', 'bigint')
    .execute();
  await db.schema.createIndex('task_activities_task').on('task_activities').columns(['task_id']).execute();

  const now = dialect.now();
  const spaces = await db.selectFrom('spaces').select('id').execute();
  for (const s of spaces) {
    await db
      .insertInto('lifecycles')
      .values({ space_id: s.id, name: 'Default Lifecycle', name_key: 'default lifecycle', description: 'Each environment is its own phase, in order.', phases: null, is_default: 1, created_at: now, updated_at: now })
      .execute();
  }
}
