import path from 'node:path';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { readSettings, SETTING, writeSetting } from '../settings/settings.js';
import { STORAGE_KINDS, type StoragePaths } from './paths.js';

/**
 * Storage paths set for the whole cluster (`shoal storage set`) live in the database;
 * each kind not set there falls back to the node's own configuration.
 */
export async function clusterStoragePaths(shoal: ShoalDb, fallback: StoragePaths): Promise<StoragePaths> {
  return { ...fallback, ...(await clusterStorageSettings(shoal)) };
}

/** Only the kinds set for the whole cluster. */
export async function clusterStorageSettings(shoal: ShoalDb): Promise<Partial<StoragePaths>> {
  const set = await readSettings(shoal, SETTING.storagePrefix);
  const out: Partial<StoragePaths> = {};
  for (const kind of STORAGE_KINDS) {
    const value = set.get(`${SETTING.storagePrefix}${kind}`);
    if (value) out[kind] = value;
  }
  return out;
}

export async function setClusterStoragePaths(shoal: ShoalDb, paths: Partial<StoragePaths>): Promise<void> {
  for (const kind of STORAGE_KINDS) {
    const p = paths[kind];
    if (p) await writeSetting(shoal, `${SETTING.storagePrefix}${kind}`, path.resolve(p));
  }
}
