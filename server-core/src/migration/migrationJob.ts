import type { NodeConfig } from '../config/nodeConfig.js';
import { readMasterKey } from '../secrets/masterKey.js';
import { isServerDatabaseUrl, redactUrl } from '../db/open.js';
import { storageUnder, type StorageKind } from '../storage/paths.js';
import { migrateToCluster, type MigrationProgress, type MigrationResult } from './migrate.js';
import type { MigrationPlan } from './plan.js';

export type JobState = 'idle' | 'running' | 'succeeded' | 'failed';

interface Counter {
  done: number;
  total: number;
}

export interface JobStatus {
  /** Only a standalone node (on SQLite) can move to HA. */
  available: boolean;
  state: JobState;
  step: string | null;
  tables: Record<string, Counter>;
  files: Partial<Record<StorageKind, Counter>>;
  target: string | null;
  /** The shared storage root the files are copied under. */
  storageRoot: string | null;
  error: string | null;
  result: { rows: number; files: number; configPath?: string; configBackup?: string; joinCommand: string } | null;
}

/** What an admin runs on the next machine to add it to the cluster (it holds the master key). */
async function joinCommand(targetUrl: string, config: NodeConfig): Promise<string> {
  const key = (await readMasterKey(config)) ?? '<the master key: shoal show-master-key>';
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return `npx shoal node join --database ${quote(targetUrl)} --master-key ${quote(key)} --node-name <name-of-the-new-node>`;
}

/**
 * The portal's "Move to high availability" runs the same migration as `shoal migrate`,
 * in this process, one at a time; the portal polls its status.
 */
export class MigrationJob {
  private status: JobStatus;
  /** A start whose checks are still running. */
  private checking = false;

  constructor(private readonly config: NodeConfig) {
    this.status = {
      available: !isServerDatabaseUrl(config.databaseUrl),
      state: 'idle', step: null, tables: {}, files: {}, target: null, storageRoot: null, error: null, result: null,
    };
  }

  get running(): boolean {
    return this.status.state === 'running';
  }

  get current(): JobStatus {
    return structuredClone(this.status);
  }

  /** The dry run: what would be copied, and whether it continues an interrupted run. */
  plan(targetUrl: string, storageRoot: string): Promise<MigrationPlan & { resumes: boolean }> {
    return migrateToCluster({ ...this.options(targetUrl, storageRoot), dryRun: true }).then((r) => ({ ...r.plan, resumes: r.target === 'resumable' }));
  }

  /**
   * Starts the migration and resolves once its checks have passed, rejecting (nothing
   * started) when one fails. `beforeCopy` runs after the checks and before the first write
   * to the target (the caller's audit event must land in the source before its tables are
   * copied); the copy then goes on in the background.
   */
  async start(targetUrl: string, storageRoot: string, beforeCopy: () => Promise<void>): Promise<void> {
    if (this.status.state === 'running' || this.checking) throw new Error('a migration is already running');
    this.checking = true;
    const progress: MigrationProgress = {
      // While the checks run, the status still shows the previous migration.
      step: (m) => {
        if (!this.checking) this.status.step = m;
      },
      rows: (t, done, total) => {
        this.status.step = `Copying table ${t}`;
        this.status.tables[t] = { done, total };
      },
      files: (k, done, total) => {
        this.status.step = `Copying ${k} files`;
        this.status.files[k] = { done, total };
      },
    };
    await new Promise<void>((checked, refused) => {
      const checksPassed = async () => {
        await beforeCopy();
        this.status = { ...this.status, state: 'running', step: 'Starting', tables: {}, files: {}, target: redactUrl(targetUrl), storageRoot, error: null, result: null };
        this.checking = false;
        checked();
      };
      migrateToCluster({ ...this.options(targetUrl, storageRoot), progress, checksPassed }).then(
        async (r: MigrationResult) => {
          const command = await joinCommand(targetUrl, this.config);
          this.status.state = 'succeeded';
          this.status.step = 'Done';
          this.status.result = {
            rows: r.verified.reduce((n, t) => n + t.rows, 0),
            files: r.filesCopied + r.filesKept,
            configPath: r.configPath,
            configBackup: r.configBackup,
            joinCommand: command,
          };
        },
        (err: Error) => {
          if (this.checking) {
            this.checking = false;
            refused(err);
            return;
          }
          this.status.state = 'failed';
          this.status.error = err.message;
        },
      );
    });
  }

  private options(targetUrl: string, storageRoot: string) {
    return { source: this.config, targetUrl, targetStorage: storageUnder(storageRoot) };
  }
}
