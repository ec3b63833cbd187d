import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_FILE_NAME, type KeychainEntry, type NodeConfig } from '../config/nodeConfig.js';

export const MASTER_KEY_FILE = 'master.key';

/** What says where a data dir's master key is. */
export type MasterKeySource = Pick<NodeConfig, 'dataDir' | 'masterKey' | 'masterKeyKeychain'>;

export class MasterKeyError extends Error {}

/** Decodes a master key given as base64 of 32 bytes. */
export function parseMasterKey(text: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32 || key.toString('base64') !== text.trim()) {
    throw new MasterKeyError('the master key must be base64 of exactly 32 bytes');
  }
  return key;
}

/**
 * The master key as text, from where the configuration says it is: the value given in config
 * or environment; else the OS keychain entry the config names (where the desktop app keeps its
 * embedded node's key); else the standalone node's own key file in its data dir. Undefined
 * when there is none yet. Never in the database.
 */
export async function readMasterKey(source: MasterKeySource): Promise<string | undefined> {
  if (source.masterKey) return source.masterKey.trim();
  if (source.masterKeyKeychain) return readFromKeychain(source.masterKeyKeychain, source.dataDir);
  const file = path.join(source.dataDir, MASTER_KEY_FILE);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : undefined;
}

/** A new standalone node's key file (readable by the owner only); fails if one exists. */
export function createMasterKeyFile(dataDir: string): string {
  const key = crypto.randomBytes(32).toString('base64');
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(path.join(dataDir, MASTER_KEY_FILE), key + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

/** The node's key at start: read as above, or a new key file on a standalone node's first start. */
export async function loadOrCreateMasterKey(source: MasterKeySource): Promise<Buffer> {
  return parseMasterKey((await readMasterKey(source)) ?? createMasterKeyFile(source.dataDir));
}

async function readFromKeychain(entry: KeychainEntry, dataDir: string): Promise<string> {
  const where = `the OS keychain (service "${entry.service}", account "${entry.account}"), as ${path.join(dataDir, CONFIG_FILE_NAME)} says`;
  const { OsKeychain, explainKeychainError } = await import('./osKeychain.js');
  let key: string | undefined;
  try {
    key = await new OsKeychain(entry.service).get(entry.account);
  } catch (err) {
    throw new MasterKeyError(`the master key is kept in ${where}, and that keychain cannot be read here: ${explainKeychainError(err)}. Run Shoal where that keychain is unlocked, or give the key in SHOAL_MASTER_KEY.`);
  }
  if (key === undefined) throw new MasterKeyError(`the master key should be in ${where}, but that entry does not exist. Give the key in SHOAL_MASTER_KEY.`);
  return key;
}

/** AES-256-GCM: `v1.<iv>.<tag>.<ciphertext>`, base64url parts. */
export function encryptValue(key: Buffer, plain: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), data].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

export function decryptValue(key: Buffer, sealed: string): string {
  const [v, iv, tag, data] = sealed.split('.');
  if (v !== 'v1' || !iv || !tag || data === undefined) throw new MasterKeyError('not an encrypted value');
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new MasterKeyError('the value cannot be decrypted with this master key');
  }
}
