import type { ShoalDb } from '../db/dialects/dialect.js';
import { decryptValue, encryptValue, MasterKeyError } from './masterKey.js';

const CHECK_KEY = 'masterKey.check';
const CHECK_PLAIN = 'shoal-master-key-check';

/** Whether `key` decrypts the database's check value; undefined when there is none yet. */
export async function masterKeyMatches(shoal: ShoalDb, key: Buffer): Promise<boolean | undefined> {
  const row = await shoal.db.selectFrom('settings').select('value').where('key', '=', CHECK_KEY).executeTakeFirst();
  if (!row) return undefined;
  try {
    return decryptValue(key, row.value) === CHECK_PLAIN;
  } catch {
    return false;
  }
}

/**
 * Proves the node holds the cluster's master key by decrypting a known value stored
 * in the database; the first node to start stores it.
 */
export async function verifyMasterKey(shoal: ShoalDb, key: Buffer): Promise<void> {
  const { db, dialect } = shoal;
  const matches = await masterKeyMatches(shoal, key);
  if (matches === undefined) {
    await db
      .insertInto('settings')
      .values({ key: CHECK_KEY, value: encryptValue(key, CHECK_PLAIN), updated_at: dialect.now() })
      .execute();
    return;
  }
  if (!matches) {
    throw new MasterKeyError("this node's master key does not match the one the database was set up with");
  }
}
