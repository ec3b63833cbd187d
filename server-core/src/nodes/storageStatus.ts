import type { StorageStatus } from '../contract/nodes.js';
import type { ShoalDb } from '../db/dialects/dialect.js';

/**
 * What a node last found when it checked that it shares storage with the others, kept in
 * its row (for the Nodes page, the ping and the other nodes), and the nonce its storage
 * markers carry.
 */
export async function saveNonce({ db }: ShoalDb, node: string, nonce: string): Promise<void> {
  await db.updateTable('nodes').set({ storage_nonce: nonce }).where('name', '=', node).execute();
}

export async function saveStorageStatus({ db }: ShoalDb, node: string, status: StorageStatus): Promise<void> {
  await db.updateTable('nodes').set({ storage_status: JSON.stringify(status) }).where('name', '=', node).execute();
}

export function parseStorageStatus(json: string | null | undefined): StorageStatus | null {
  if (!json) return null;
  try {
    const s = JSON.parse(json) as StorageStatus;
    return { ok: !!s.ok, checkedAt: String(s.checkedAt), problems: Array.isArray(s.problems) ? s.problems.map(String) : [] };
  } catch {
    return null;
  }
}
