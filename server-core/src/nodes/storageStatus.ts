import type { StorageKind } from '../contract/configuration.js';
import type { StorageStatus } from '../contract/nodes.js';
import type { ShoalDb } from '../db/dialects/dialect.js';

/**
 * What a node last found when it checked that it shares storage with the others, kept in
 * its row (for the Nodes page, the ping and the other nodes), and the nonce its storage
 * markers carry.
 */
/** What a node stores in its row: its verdict, and the file system of each folder as it sees it. */
export interface StoredStorageStatus extends StorageStatus {
  fileSystems?: Partial<Record<StorageKind, string>>;
}

export async function saveNonce({ db }: ShoalDb, node: string, nonce: string): Promise<void> {
  await db.updateTable('nodes').set({ storage_nonce: nonce }).where('name', '=', node).execute();
}

export async function saveStorageStatus({ db }: ShoalDb, node: string, status: StoredStorageStatus): Promise<void> {
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

/** The file systems a node reported for its folders (empty when it has not said). */
export function reportedFileSystems(json: string | null | undefined): Partial<Record<StorageKind, string>> {
  try {
    return (JSON.parse(json ?? '{}') as StoredStorageStatus).fileSystems ?? {};
  } catch {
    return {};
  }
}
