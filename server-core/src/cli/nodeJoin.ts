import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { CONFIG_FILE_NAME, defaultDataDir, resolveNodeConfig, writeConfigFile } from '../config/nodeConfig.js';
import { currentSchemaVersion, LATEST_SCHEMA_VERSION } from '../db/migrations/index.js';
import { isServerDatabaseUrl, openDatabase, redactUrl } from '../db/open.js';
import { listNodes, nodeIsOffline } from '../nodes/registry.js';
import { masterKeyMatches } from '../secrets/keyCheck.js';
import { parseMasterKey } from '../secrets/masterKey.js';
import { clusterStorageSettings } from '../storage/clusterStorage.js';
import { checkStoragePath, STORAGE_KINDS } from '../storage/paths.js';
import { parseNonEmpty, UsageError } from './parse.js';

interface JoinFlags {
  database: string;
  masterKey: string;
  nodeName?: string;
  dataDir?: string;
}

/** Every check that must pass before a config is written; each failure is one clear sentence. */
async function checkJoin(flags: JoinFlags, nodeName: string): Promise<void> {
  const key = (() => {
    try {
      return parseMasterKey(flags.masterKey);
    } catch (err) {
      throw new UsageError(`--master-key: ${(err as Error).message}`);
    }
  })();
  const shoal = await openDatabase(flags.database, { poolSize: 1 });
  try {
    const version = await currentSchemaVersion(shoal).catch((err: Error) => {
      throw new Error(`cannot reach ${redactUrl(flags.database)}: ${err.message}`);
    });
    if (!version) throw new Error(`${redactUrl(flags.database)} holds no Shoal cluster yet; migrate a standalone node to it or start the first node there`);
    if (version > LATEST_SCHEMA_VERSION) throw new Error(`the cluster's schema (${version}) is newer than this Shoal; install the cluster's version`);
    const matches = await masterKeyMatches(shoal, key);
    if (!matches) throw new Error("the master key does not match the cluster's (it cannot decrypt the cluster's check value)");
    const clash = (await listNodes(shoal)).find((n) => n.name === nodeName && !nodeIsOffline(n));
    if (clash) throw new Error(`a node named ${nodeName} is online in this cluster; choose another --node-name`);
    const storage = await clusterStorageSettings(shoal);
    for (const kind of STORAGE_KINDS) {
      if (!storage[kind]) throw new Error(`the cluster has no shared ${kind} storage configured; run \`shoal storage set --cluster-shared ROOT\` first`);
      const c = await checkStoragePath(kind, storage[kind]);
      if (!c.ok) throw new Error(`this machine cannot use the cluster's ${kind} storage at ${c.path}: ${c.problem}`);
    }
  } finally {
    await shoal.close();
  }
}

export function registerNodeJoin(program: Command): void {
  const node = program.commands.find((c) => c.name() === 'node') ?? program.command('node').description('cluster node commands');
  node
    .command('join')
    .description('configure this machine as a new node of an existing cluster (checks everything before writing)')
    .requiredOption('--database <url>', 'the cluster database: postgres://… or sqlserver://…', parseNonEmpty)
    .requiredOption('--master-key <key>', 'the cluster master key (from `shoal show-master-key` on a node)', parseNonEmpty)
    .option('--node-name <name>', 'name of the new node (default: host name)', parseNonEmpty)
    .option('--data-dir <dir>', 'data folder for the new node (default: $SHOAL_DATA_DIR or ~/.shoal)')
    .action(async (flags: JoinFlags) => {
      if (!isServerDatabaseUrl(flags.database)) throw new UsageError('--database must be a postgres:// or sqlserver:// URL');
      const dataDir = path.resolve(flags.dataDir ?? defaultDataDir());
      const configPath = path.join(dataDir, CONFIG_FILE_NAME);
      if (fs.existsSync(configPath)) throw new Error(`${configPath} already exists; this data dir is already configured`);
      const nodeName = flags.nodeName ?? resolveNodeConfig({ dataDir }).nodeName;
      await checkJoin(flags, nodeName);
      writeConfigFile(configPath, { databaseUrl: flags.database, masterKey: flags.masterKey, nodeName });
      process.stdout.write(`Node ${nodeName} is configured in ${configPath}.\nStart it with:  shoal run --data-dir ${dataDir} --host 0.0.0.0\n`);
    });
}
