import type { ShoalDb } from '../db/dialects/dialect.js';
import { tableDigest } from '../migration/copyTables.js';
import { shoalTables } from '../migration/tables.js';

/**
 * Row count and content digest of every Shoal table (a node's heartbeat columns left out),
 * to show that a batch of refused requests changed nothing at all.
 */
export async function dbSnapshot(shoal: ShoalDb): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of await shoalTables(shoal.db)) {
    const d = await tableDigest(shoal, t);
    out[t.name] = `${d.rows}:${d.digest}`;
  }
  return out;
}
