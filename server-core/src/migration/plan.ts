import type { ShoalDb } from '../db/dialects/dialect.js';
import { STORAGE_KINDS, type StorageKind, type StoragePaths } from '../storage/paths.js';
import { countRows } from './copyTables.js';
import { listFiles, type FileEntry } from './copyFiles.js';
import { shoalTables, type TableInfo } from './tables.js';

export interface MigrationPlan {
  tables: (TableInfo & { rows: number })[];
  storage: { kind: StorageKind; from: string; to: string; files: FileEntry[]; bytes: number }[];
}

export async function makePlan(source: ShoalDb, from: StoragePaths, to: StoragePaths): Promise<MigrationPlan> {
  const tables = [];
  for (const t of await shoalTables(source.db)) tables.push({ ...t, rows: await countRows(source, t.name) });
  const storage = STORAGE_KINDS.map((kind) => {
    const files = listFiles(from[kind]);
    return { kind, from: from[kind], to: to[kind], files, bytes: files.reduce((n, f) => n + f.size, 0) };
  });
  return { tables, storage };
}

export const formatBytes = (n: number): string =>
  n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : n < 1024 ** 3 ? `${(n / 1024 ** 2).toFixed(1)} MiB` : `${(n / 1024 ** 3).toFixed(2)} GiB`;

export function describePlan(plan: MigrationPlan): string {
  const lines = ['Tables (rows):'];
  for (const t of plan.tables) lines.push(`  ${t.name.padEnd(16)} ${String(t.rows).padStart(10)}`);
  lines.push('Storage (files, bytes):');
  for (const s of plan.storage) {
    lines.push(`  ${s.kind.padEnd(16)} ${String(s.files.length).padStart(10)}  ${formatBytes(s.bytes).padStart(10)}  ${s.from} -> ${s.to}`);
  }
  return lines.join('\n');
}
