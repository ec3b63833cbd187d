import path from 'node:path';
import { storageFs, type StorageFs } from './storageFs.js';

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

export async function ensureStorage(paths: StoragePaths, fs: StorageFs = storageFs): Promise<void> {
  for (const k of STORAGE_KINDS) await fs.mkdir(paths[k]);
}

export interface StorageCheck {
  kind: StorageKind;
  path: string;
  ok: boolean;
  problem?: string;
}

/** Checks that each path exists, is a folder (after resolving symlinks) and is writable. */
export function checkStorage(paths: StoragePaths, fs: StorageFs = storageFs): Promise<StorageCheck[]> {
  return Promise.all(STORAGE_KINDS.map((kind) => checkStoragePath(kind, paths[kind], fs)));
}

/** One path's check, on the storage pool (a share that stalls fails it with a timeout). */
export async function checkStoragePath(kind: StorageKind, p: string, fs: StorageFs = storageFs): Promise<StorageCheck> {
  try {
    const real = await fs.realpath(p);
    if (!(await fs.stat(real)).isDirectory) return { kind, path: p, ok: false, problem: 'not a folder' };
    const probe = path.join(real, `.shoal-write-check-${process.pid}-${Date.now()}`);
    await fs.writeNewFile(probe, 'ok');
    await fs.rm(probe);
    return { kind, path: p, ok: true };
  } catch (err) {
    return { kind, path: p, ok: false, problem: (err as Error).message };
  }
}
