import type { ShoalDb } from '../db/dialects/dialect.js';

/** Cluster-wide settings live in the database, one row per key, so every node sees the same. */
export const SETTING = {
  clusterVersion: 'cluster.version',
  queuePaused: 'queue.paused',
  storagePrefix: 'storage.',
  healthCheckIntervalMinutes: 'machinePolicy.healthCheckIntervalMinutes',
  /** When the next periodic health check is due (epoch milliseconds, database clock). */
  nextHealthCheckAt: 'machinePolicy.nextHealthCheckAt',
} as const;

export async function readSetting({ db }: ShoalDb, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

export async function readSettings({ db }: ShoalDb, prefix: string): Promise<Map<string, string>> {
  const rows = await db.selectFrom('settings').select(['key', 'value']).where('key', 'like', `${prefix}%`).execute();
  return new Map(rows.map((r) => [r.key, r.value]));
}

export async function writeSetting({ db, dialect }: ShoalDb, key: string, value: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const r = await trx.updateTable('settings').set({ value, updated_at: dialect.now() }).where('key', '=', key).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) await trx.insertInto('settings').values({ key, value, updated_at: dialect.now() }).execute();
  });
}
