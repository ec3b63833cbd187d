import crypto from 'node:crypto';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { isUniqueViolation } from '../packages/uniqueViolation.js';
import { readSetting } from '../settings/settings.js';

const INSTALLATION_ID = 'installation.id';

/**
 * This installation's id (a UUID, as Octopus's Go client requires), made once and kept in the
 * database so every node of a cluster reports the same; the first node to ask creates it.
 */
export async function installationId(shoal: ShoalDb): Promise<string> {
  const existing = await readSetting(shoal, INSTALLATION_ID);
  if (existing) return existing;
  try {
    await shoal.db.insertInto('settings').values({ key: INSTALLATION_ID, value: crypto.randomUUID(), updated_at: shoal.dialect.now() }).execute();
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
  return (await readSetting(shoal, INSTALLATION_ID))!;
}
