import type { Command } from 'commander';
import { resolveNodeConfig, type NodeConfig } from '../config/nodeConfig.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { openDatabase } from '../db/open.js';
import { upgradeSchemaSafely } from '../nodes/clusterVersion.js';
import { SHOAL_VERSION } from '../version.js';
import { parseNonEmpty } from './parse.js';

export interface DatabaseFlags {
  dataDir?: string;
  config?: string;
  databaseUrl?: string;
}

/** The options every command that opens the database takes. */
export function withDatabaseFlags(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'data folder (default: $SHOAL_DATA_DIR or ~/.shoal)')
    .option('--config <file>', 'JSON config file (default: <data-dir>/shoal.config.json when present)')
    .option('--database-url <url>', 'postgres://…, sqlserver://… or a SQLite file', parseNonEmpty);
}

/** Opens the configured database with its schema up to date, runs `work`, closes it. */
export async function withDatabase<T>(flags: DatabaseFlags, work: (shoal: ShoalDb, config: NodeConfig) => Promise<T>): Promise<T> {
  const config = resolveNodeConfig(flags);
  const shoal = await openDatabase(config.databaseUrl, { poolSize: 2 });
  try {
    await upgradeSchemaSafely(shoal, config.nodeName, SHOAL_VERSION);
    return await work(shoal, config);
  } finally {
    await shoal.close();
  }
}
