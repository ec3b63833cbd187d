import fs from 'node:fs';
import path from 'node:path';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { listNodes, nodeIsOffline } from '../nodes/registry.js';
import { masterKeyMatches } from '../secrets/keyCheck.js';
import { parseMasterKey, readMasterKey, type MasterKeySource } from '../secrets/masterKey.js';
import { readSetting } from '../settings/settings.js';
import { checkStoragePath, STORAGE_KINDS, type StoragePaths } from '../storage/paths.js';
import type { MigrationPlan } from './plan.js';

/**
 * The target's own bookkeeping table (not a Shoal table, so never copied or compared):
 * which standalone install it is being migrated from, and whether that finished.
 */
export const MIGRATION_TABLE = 'shoal_migration';

export class MigrationCheckError extends Error {}

/**
 * What identifies a standalone install: the master-key check value is random per
 * install and never changes, so a target carrying it came from this source.
 */
export async function sourceIdentity(source: ShoalDb): Promise<string> {
  const check = await readSetting(source, 'masterKey.check');
  if (!check) throw new MigrationCheckError('the source has never been started (no master key check value); start it once with `shoal run`');
  return check;
}

/**
 * The key this data dir's node will need on the cluster (its value, the OS keychain entry its
 * config names, or its key file) can be read, and is the one the source's values are sealed with.
 */
export async function checkSourceMasterKey(source: ShoalDb, config: MasterKeySource): Promise<void> {
  let text: string | undefined;
  try {
    text = await readMasterKey(config);
  } catch (err) {
    throw new MigrationCheckError((err as Error).message);
  }
  if (!text) throw new MigrationCheckError(`no master key for ${config.dataDir}: start the standalone node once with \`shoal run\``);
  if (!(await masterKeyMatches(source, parseMasterKey(text)))) throw new MigrationCheckError("the master key this data dir names is not the one the source's values are sealed with");
}

/** The standalone node must be stopped, or drained with no task running. */
export async function checkSourceIdle(source: ShoalDb): Promise<void> {
  const active = await source.db.selectFrom('tasks').select('id').where('state', 'in', ['Executing', 'Cancelling']).limit(1).execute();
  for (const n of await listNodes(source)) {
    if (nodeIsOffline(n)) continue;
    if (!n.drain) throw new MigrationCheckError(`node ${n.name} is running; stop it, or drain it and wait for its tasks to finish`);
  }
  if (active.length) throw new MigrationCheckError('tasks are still running on the standalone node; wait for them or cancel them');
}

export type TargetState = 'empty' | 'resumable';

/** The target must be empty, or hold a partial migration of this same source. */
export async function checkTarget(target: ShoalDb, identity: string): Promise<TargetState> {
  try {
    await target.db.selectNoFrom((eb) => eb.lit(1).as('one')).execute();
  } catch (err) {
    throw new MigrationCheckError(`cannot reach the target database ${target.location}: ${(err as Error).message}`);
  }
  const tables = (await target.db.introspection.getTables()).map((t) => t.name);
  if (!tables.length) return 'empty';
  if (!tables.includes('settings')) throw new MigrationCheckError(`the target database ${target.location} is not empty and is not a Shoal database`);
  const marker = tables.includes(MIGRATION_TABLE) ? await readMigrationState(target, 'source') : undefined;
  if (marker === identity) {
    if (await readMigrationState(target, 'completed')) throw new MigrationCheckError(`the migration to ${target.location} has already completed`);
    return 'resumable';
  }
  const users = await target.db.selectFrom('users').select('id').limit(1).execute().catch(() => []);
  const tasks = await target.db.selectFrom('tasks').select('id').limit(1).execute().catch(() => []);
  if (!marker && !users.length && !tasks.length) return 'empty';
  throw new MigrationCheckError(`the target database ${target.location} is not empty and holds data of another Shoal install`);
}

export async function readMigrationState({ db }: ShoalDb, key: string): Promise<string | undefined> {
  const row = await db.selectFrom(MIGRATION_TABLE as any).select('value' as any).where('key' as any, '=', key).executeTakeFirst();
  return (row as { value?: string } | undefined)?.value;
}

export async function writeMigrationState({ db }: ShoalDb, key: string, value: string): Promise<void> {
  await db.schema
    .createTable(MIGRATION_TABLE)
    .ifNotExists()
    .addColumn('key', 'varchar(100)', (c) => c.primaryKey())
    .addColumn('value', 'varchar(4000)', (c) => c.notNull())
    .execute();
  await db.deleteFrom(MIGRATION_TABLE as any).where('key' as any, '=', key).execute();
  await db.insertInto(MIGRATION_TABLE as any).values({ key, value } as any).execute();
}

/** Each storage path exists (or its parent does), is writable, and the files fit. */
export async function checkStorageTargets(paths: StoragePaths, plan: MigrationPlan): Promise<void> {
  const needed = plan.storage.reduce((n, s) => n + s.bytes, 0);
  for (const kind of STORAGE_KINDS) {
    const p = paths[kind];
    const existing = fs.existsSync(p) ? p : path.dirname(p);
    if (!fs.existsSync(existing)) throw new MigrationCheckError(`storage path for ${kind} does not exist: ${p}`);
    const check = await checkStoragePath(kind, existing);
    if (!check.ok) throw new MigrationCheckError(`storage path for ${kind} is not writable: ${p} (${check.problem})`);
  }
  for (const root of new Set(STORAGE_KINDS.map((k) => (fs.existsSync(paths[k]) ? paths[k] : path.dirname(paths[k]))))) {
    const st = fs.statfsSync(root);
    const free = st.bavail * st.bsize;
    if (free < needed) throw new MigrationCheckError(`not enough room on ${root}: ${free} bytes free, ${needed} needed`);
  }
}
