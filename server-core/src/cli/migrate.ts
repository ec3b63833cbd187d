import readline from 'node:readline/promises';
import type { Command } from 'commander';
import { resolveNodeConfig } from '../config/nodeConfig.js';
import { isServerDatabaseUrl, redactUrl } from '../db/open.js';
import { formatBytes, describePlan } from '../migration/plan.js';
import { migrateToCluster } from '../migration/migrate.js';
import type { StoragePaths } from '../storage/paths.js';
import { parseNonEmpty, UsageError } from './parse.js';
import { terminalProgress } from './progressBars.js';
import { storageFromFlags, withStorageFlags, type StorageFlags } from './storageFlags.js';

interface MigrateFlags extends StorageFlags {
  to: string;
  dataDir?: string;
  config?: string;
  dryRun?: boolean;
  yes?: boolean;
}

async function confirm(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export function registerMigrate(program: Command): void {
  const cmd = program
    .command('migrate')
    .description('move this standalone install to a shared database and shared storage (node 1 of an HA cluster)')
    .requiredOption('--to <url>', 'target database: postgres://… or sqlserver://…', parseNonEmpty)
    .option('--data-dir <dir>', 'the standalone data folder (default: $SHOAL_DATA_DIR or ~/.shoal)')
    .option('--config <file>', 'its config file (default: <data-dir>/shoal.config.json when present)')
    .option('--dry-run', 'print the plan and change nothing')
    .option('--yes', 'do not ask for confirmation');
  withStorageFlags(cmd).action(async (flags: MigrateFlags) => {
    if (!isServerDatabaseUrl(flags.to)) throw new UsageError('--to must be a postgres:// or sqlserver:// URL');
    const targetStorage = storageFromFlags(flags, true) as StoragePaths;
    const source = resolveNodeConfig({ dataDir: flags.dataDir, config: flags.config }, { ...process.env, SHOAL_DATABASE_URL: '' });
    const progress = terminalProgress();
    const common = { source, targetUrl: flags.to, targetStorage, progress };
    try {
      const plan = await migrateToCluster({ ...common, dryRun: true });
      process.stdout.write(`Migration plan: ${source.databaseUrl} -> ${redactUrl(flags.to)}${plan.target === 'resumable' ? ' (resuming an earlier run)' : ''}\n`);
      process.stdout.write(`${describePlan(plan.plan)}\n`);
      if (flags.dryRun) {
        process.stdout.write('Dry run: nothing was changed.\n');
        return;
      }
      if (!flags.yes && process.stdin.isTTY && !(await confirm('Proceed with the migration? [y/N] '))) {
        process.stdout.write('Nothing was changed.\n');
        return;
      }
      const t0 = Date.now();
      const result = await migrateToCluster(common);
      progress.stop();
      const rows = result.verified.reduce((n, t) => n + t.rows, 0);
      const bytes = result.plan.storage.reduce((n, s) => n + s.bytes, 0);
      process.stdout.write(
        [
          '',
          `Migrated ${rows} rows in ${result.verified.length} tables and ${result.filesCopied + result.filesKept} files (${formatBytes(bytes)}) in ${((Date.now() - t0) / 1000).toFixed(1)} s.`,
          'Verified: row counts and content checksums of every table, and the hash of every file.',
          `Config: ${result.configPath} now points at the cluster database${result.configBackup ? ` (old config kept as ${result.configBackup})` : ''}.`,
          `The old SQLite database is left as it was: ${source.databaseUrl}`,
          `Start this node as node 1 of the cluster:  shoal run --data-dir ${source.dataDir}`,
          `Add more nodes with:  shoal node join --database <url> --master-key "$(shoal show-master-key --data-dir ${source.dataDir})"`,
          '',
        ].join('\n'),
      );
    } finally {
      progress.stop();
    }
  });
}
