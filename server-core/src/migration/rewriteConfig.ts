import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_FILE_NAME, readConfigFile, writeConfigFile, type ConfigFile } from '../config/nodeConfig.js';

/**
 * Points the standalone node's data dir at the cluster database. The old config (if any)
 * is kept beside it; the new one is written whole and then renamed into place.
 * Returns the backup's path, if there was a config to back up.
 */
export function rewriteConfigForCluster(dataDir: string, change: ConfigFile, configPath = path.join(dataDir, CONFIG_FILE_NAME)): string | undefined {
  const old = fs.existsSync(configPath) ? readConfigFile(configPath) : {};
  let backup: string | undefined;
  if (fs.existsSync(configPath)) {
    backup = `${configPath}.before-ha-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    fs.copyFileSync(configPath, backup);
  }
  const next: ConfigFile = { ...old, ...change };
  delete next.storage; // storage paths now live in the cluster database
  writeConfigFile(configPath, next);
  return backup;
}
