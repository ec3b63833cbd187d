import path from 'node:path';
import type { NodeConfig } from '../config/nodeConfig.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { currentSchemaVersion, LATEST_SCHEMA_VERSION, migrateToLatest } from '../db/migrations/index.js';
import { isServerDatabaseUrl, openDatabase } from '../db/open.js';
import { setClusterStoragePaths } from '../storage/clusterStorage.js';
import { ensureStorage, type StorageKind, type StoragePaths } from '../storage/paths.js';
import {
  checkSourceIdle,
  checkSourceMasterKey,
  checkStorageTargets,
  checkTarget,
  MigrationCheckError,
  sourceIdentity,
  writeMigrationState,
  type TargetState,
} from './checks.js';
import { copyFileVerified, hashFile } from './copyFiles.js';
import { copyTable, tableDigest } from './copyTables.js';
import { makePlan, type MigrationPlan } from './plan.js';
import { rewriteConfigForCluster } from './rewriteConfig.js';
import { shoalTables } from './tables.js';

export interface MigrationProgress {
  step(message: string): void;
  rows(table: string, done: number, total: number): void;
  files(kind: StorageKind, done: number, total: number): void;
}

export interface MigrateOptions {
  /** The standalone node's configuration (its data dir, SQLite file and storage). */
  source: NodeConfig;
  targetUrl: string;
  targetStorage: StoragePaths;
  dryRun?: boolean;
  progress?: MigrationProgress;
  /** Called once every check has passed, before the first write to the target. */
  checksPassed?: () => Promise<void>;
}

export interface MigrationResult {
  plan: MigrationPlan;
  target: TargetState;
  dryRun: boolean;
  /** Per table: rows on both sides and whether their content digests matched. */
  verified: { table: string; rows: number; digest: string }[];
  filesCopied: number;
  filesKept: number;
  configBackup?: string;
  configPath?: string;
}

const quiet: MigrationProgress = { step() {}, rows() {}, files() {} };

/**
 * Moves a standalone install to a shared database and shared storage: checks, plan,
 * schema, rows, files, verification, and last the config rewrite. Each phase can be
 * interrupted and the whole command run again; the source is only read until the end.
 */
export async function migrateToCluster(o: MigrateOptions): Promise<MigrationResult> {
  const progress = o.progress ?? quiet;
  if (isServerDatabaseUrl(o.source.databaseUrl)) {
    throw new MigrationCheckError(`this data dir already uses ${o.source.databaseUrl}; there is nothing to migrate`);
  }
  const source = await openDatabase(o.source.databaseUrl);
  let target: ShoalDb | undefined;
  try {
    const version = await currentSchemaVersion(source);
    if (version !== LATEST_SCHEMA_VERSION) {
      throw new MigrationCheckError(`the source schema is ${version ?? 'missing'}, not ${LATEST_SCHEMA_VERSION}; start the standalone node once with this version of Shoal first`);
    }
    progress.step('Checking the source, the target database and the storage paths');
    const identity = await sourceIdentity(source);
    await checkSourceMasterKey(source, o.source);
    await checkSourceIdle(source);
    target = await openDatabase(o.targetUrl, { poolSize: 4 });
    const state = await checkTarget(target, identity);
    const plan = await makePlan(source, o.source.storage, o.targetStorage);
    await checkStorageTargets(o.targetStorage, plan);
    const result: MigrationResult = { plan, target: state, dryRun: !!o.dryRun, verified: [], filesCopied: 0, filesKept: 0 };
    if (o.dryRun) return result;
    await o.checksPassed?.();

    progress.step(state === 'resumable' ? 'Resuming the earlier migration to this database' : 'Creating the schema on the target');
    await writeMigrationState(target, 'source', identity);
    await migrateToLatest(target);

    const generated = new Set((await shoalTables(target.db)).filter((t) => t.generatedKey).map((t) => t.name));
    const sourceDigests = new Map<string, { rows: number; digest: string }>();
    for (const t of plan.tables) {
      progress.rows(t.name, 0, t.rows);
      sourceDigests.set(t.name, await copyTable(source, target, t, generated.has(t.name), t.rows, (name, done, total) => progress.rows(name, done, total)));
    }

    await ensureStorage(o.targetStorage);
    const sourceHashes = new Map<string, string>();
    for (const s of plan.storage) {
      let done = 0;
      progress.files(s.kind, 0, s.files.length);
      for (const f of s.files) {
        const { hash, copied } = await copyFileVerified(path.join(s.from, f.relative), path.join(s.to, f.relative));
        sourceHashes.set(path.join(s.to, f.relative), hash);
        if (copied) result.filesCopied++;
        else result.filesKept++;
        progress.files(s.kind, ++done, s.files.length);
      }
    }

    progress.step('Verifying row counts, table checksums and file hashes');
    for (const t of plan.tables) {
      const a = sourceDigests.get(t.name)!;
      const b = await tableDigest(target, t);
      if (a.rows !== b.rows) throw new Error(`verification failed: ${t.name} has ${a.rows} rows in the source and ${b.rows} in the target`);
      if (a.digest !== b.digest) throw new Error(`verification failed: the content of ${t.name} differs between source and target`);
      result.verified.push({ table: t.name, rows: a.rows, digest: a.digest });
    }
    for (const [file, hash] of sourceHashes) {
      if ((await hashFile(file)) !== hash) throw new Error(`verification failed: ${file} differs from its source`);
    }

    progress.step('Saving the cluster storage paths and pointing this data dir at the cluster');
    await setClusterStoragePaths(target, o.targetStorage);
    // The node was drained (or stopped) for the move; on the cluster it should take work.
    await target.db.updateTable('nodes').set({ drain: 0 }).execute();
    await writeMigrationState(target, 'completed', new Date().toISOString());
    result.configBackup = rewriteConfigForCluster(o.source.dataDir, { databaseUrl: o.targetUrl, nodeName: o.source.nodeName });
    result.configPath = path.join(o.source.dataDir, 'shoal.config.json');
    return result;
  } finally {
    await target?.close();
    await source.close();
  }
}
