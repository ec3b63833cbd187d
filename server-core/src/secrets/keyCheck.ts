import type { ShoalDb } from '../db/dialects/dialect.js';
import { decryptValue, encryptValue, MasterKeyError } from './masterKey.js';

const CHECK_KEY = 'masterKey.check';
const CHECK_PLAIN = 'shoal-master-key-check';

/**
 * Proves the node holds the cluster's master key by decrypting a known value stored
 * in the database; the first node to start stores it.
 */
export async function verifyMasterKey({ db, dialect }: ShoalDb, key: Buffer): Promise<void> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', CHECK_KEY).executeTakeFirst();
  if (!row) {
    await db
      .insertInto('settings')
      .values({ key: CHECK_KEY, value: encryptValue(key, CHECK_PLAIN), updated_at: dialect.now() })
      .execute();
    return;
  }
  let plain: string;
  try {
    plain = decryptValue(key, row.value);
  } catch {
    plain = '';
  }
  if (plain !== CHECK_PLAIN) {
    throw new MasterKeyError("this node's master key does not match the one the database was set up with");
  }
}
