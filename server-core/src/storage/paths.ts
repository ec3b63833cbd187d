import fs from 'node:fs';
import path from 'node:path';

export const STORAGE_KINDS = ['packages', 'artifacts', 'taskLogs', 'imports', 'eventExports'] as const;
export type StorageKind = (typeof STORAGE_KINDS)[number];
export type StoragePaths = Record<StorageKind, string>;

const FOLDER: Record<StorageKind, string> = {
  packages: 'packages',
  artifacts: 'artifacts',
  taskLogs: 'task-logs',
  imports: 'imports',
  eventExports: 'event-exports',
};

/** One sub-folder per kind under a root (the standalone default, or a cluster-shared root). */
export function storageUnder(root: string): StoragePaths {
  return Object.fromEntries(STORAGE_KINDS.map((k) => [k, path.join(root, FOLDER[k])])) as StoragePaths;
}

export function ensureStorage(paths: StoragePaths): void {
  for (const k of STORAGE_KINDS) fs.mkdirSync(paths[k], { recursive: true });
}

export interface StorageCheck {
  kind: StorageKind;
  path: string;
  ok: boolean;
  problem?: string;
}

/** Checks that each path exists, is a folder (after resolving symlinks) and is writable. */
export function checkStorage(paths: StoragePaths): StorageCheck[] {
  return STORAGE_KINDS.map((kind) => checkStoragePath(kind, paths[kind]));
}

export function checkStoragePath(kind: StorageKind, p: string): StorageCheck {
  try {
    const real = fs.realpathSync(p);
    if (!fs.statSync(real).isDirectory()) return { kind, path: p, ok: false, problem: 'not a folder' };
    const probe = path.join(real, `.shoal-write-check-${process.pid}-${Date.now()}`);
    fs.writeFileSync(probe, 'ok');
    fs.rmSync(probe);
    return { kind, path: p, ok: true };
  } catch (err) {
    return { kind, path: p, ok: false, problem: (err as Error).message };
  }
}
