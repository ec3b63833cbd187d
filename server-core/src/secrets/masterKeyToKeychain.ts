/**
 * The desktop app keeps its embedded node's master key in the OS keychain rather than in the
 * data dir's key file. At start it moves the key there: written to the keychain, read back and
 * compared; only then does the data dir's config name the keychain entry, and only once the
 * key reads back through that config is the file removed. Interrupted anywhere, the key is in
 * the file, or in the keychain with the config saying so (a leftover file is removed next time).
 *
 * A key given in the config or SHOAL_MASTER_KEY is the operator's: it is left where it is.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_FILE_NAME, readConfigFile, writeConfigFile, type ConfigFile, type KeychainEntry } from '../config/nodeConfig.js';
import { createMasterKeyFile, MASTER_KEY_FILE, parseMasterKey, readMasterKey } from './masterKey.js';

/** The keychain the key goes to (OsKeychain; tests may pass one that misbehaves). */
export interface MasterKeyKeychain {
  readonly service: string;
  get(account: string): Promise<string | undefined>;
  set(account: string, secret: string): Promise<void>;
}

export type KeychainMove =
  /** Moved now (from the file, or made for a first start). */
  | { outcome: 'moved'; entry: KeychainEntry }
  /** The config already names the keychain entry. */
  | { outcome: 'in-keychain'; entry: KeychainEntry }
  /** The operator gives the key in the config or SHOAL_MASTER_KEY: not moved. */
  | { outcome: 'given' }
  /** The keychain did not give back what was written: the key stays in its file. */
  | { outcome: 'kept-in-file'; problem: string };

export const accountFor = (dataDir: string): string => `master key of ${path.resolve(dataDir)}`;

export async function keepMasterKeyInKeychain(dataDir: string, keychain: MasterKeyKeychain, env: NodeJS.ProcessEnv = process.env): Promise<KeychainMove> {
  const configPath = path.join(dataDir, CONFIG_FILE_NAME);
  const keyFile = path.join(dataDir, MASTER_KEY_FILE);
  const config: ConfigFile = fs.existsSync(configPath) ? readConfigFile(configPath) : {};
  if (env.SHOAL_MASTER_KEY || config.masterKey) return { outcome: 'given' };

  if (config.masterKeyKeychain) {
    const entry = config.masterKeyKeychain;
    // A move interrupted after the config was written: the file goes once the keychain holds the same key.
    if (fs.existsSync(keyFile) && (await readMasterKey({ dataDir, masterKeyKeychain: entry })) === fs.readFileSync(keyFile, 'utf8').trim()) fs.rmSync(keyFile);
    return { outcome: 'in-keychain', entry };
  }

  const key = fs.existsSync(keyFile) ? fs.readFileSync(keyFile, 'utf8').trim() : createMasterKeyFile(dataDir);
  parseMasterKey(key);
  const entry: KeychainEntry = { service: keychain.service, account: accountFor(dataDir) };
  await keychain.set(entry.account, key);
  if ((await keychain.get(entry.account)) !== key) {
    return { outcome: 'kept-in-file', problem: `the keychain did not give back the master key written to it (service "${entry.service}", account "${entry.account}"); it stays in ${keyFile}` };
  }
  writeConfigFile(configPath, { ...config, masterKeyKeychain: entry });
  // The node's own way in, through the config just written, before the file goes.
  if ((await readMasterKey({ dataDir, masterKeyKeychain: entry })) !== key) {
    writeConfigFile(configPath, config);
    return { outcome: 'kept-in-file', problem: `the master key did not read back through ${configPath}; it stays in ${keyFile}` };
  }
  fs.rmSync(keyFile);
  return { outcome: 'moved', entry };
}
