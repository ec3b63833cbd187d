import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { ShoalDb, ShoalDialect } from '../dialects/dialect.js';
import * as m0001 from './0001_initial.js';
import * as m0002 from './0002_packages.js';
import * as m0003 from './0003_security.js';
import * as m0004 from './0004_node_identity.js';
import * as m0005 from './0005_deployments.js';
import * as m0006 from './0006_agents.js';
import * as m0007 from './0007_listening_targets.js';
import * as m0008 from './0008_task_log_text.js';

type DialectMigration = { up(db: any, dialect: ShoalDialect): Promise<void> };

/** Migrations are compiled into the code: adding one means importing it here. */
const MIGRATIONS: Record<string, DialectMigration> = {
  '0001_initial': m0001,
  '0002_packages': m0002,
  '0003_security': m0003,
  '0004_node_identity': m0004,
  '0005_deployments': m0005,
  '0006_agents': m0006,
  '0007_listening_targets': m0007,
  '0008_task_log_text': m0008,
};

export const LATEST_SCHEMA_VERSION = Object.keys(MIGRATIONS).sort().at(-1)!;

class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: ShoalDialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const [name, m] of Object.entries(MIGRATIONS)) out[name] = { up: (db) => m.up(db, this.dialect) };
    return out;
  }
}

function migratorFor(shoal: ShoalDb): Migrator {
  return new Migrator({ db: shoal.db, provider: new StaticMigrationProvider(shoal.dialect) });
}

/** Brings the schema up to date. Refuses when the database is newer than this code. */
export async function migrateToLatest(shoal: ShoalDb): Promise<void> {
  const current = await currentSchemaVersion(shoal);
  if (current && current > LATEST_SCHEMA_VERSION) {
    throw new Error(
      `the database schema (${current}) is newer than this version of Shoal understands (${LATEST_SCHEMA_VERSION}); upgrade Shoal`,
    );
  }
  const { error, results } = await migratorFor(shoal).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`schema migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? error}`);
  }
}

/** Whether this code would change the schema (an empty database counts). */
export async function hasPendingMigrations(shoal: ShoalDb): Promise<boolean> {
  return (await migratorFor(shoal).getMigrations()).some((m) => !m.executedAt);
}

/** Name of the last applied migration, or undefined on an empty database. */
export async function currentSchemaVersion(shoal: ShoalDb): Promise<string | undefined> {
  const migrations = await migratorFor(shoal).getMigrations();
  const applied = migrations.filter((m) => m.executedAt).map((m) => m.name);
  // Migrations unknown to this code (from a newer version) are reported by the database directly.
  const names = await shoal.db
    .selectFrom('kysely_migration' as any)
    .select('name' as any)
    .execute()
    .catch(() => [] as { name: string }[]);
  return [...applied, ...names.map((n: any) => n.name as string)].sort().at(-1);
}
