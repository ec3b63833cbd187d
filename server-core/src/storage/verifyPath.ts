import path from 'node:path';
import { checkStoragePath, type StorageKind } from './paths.js';
import { storageFs } from './storageFs.js';

/** What an operator needs to know about one storage path. */
export interface StoragePathReport {
  kind: StorageKind;
  path: string;
  /** After following symlinks (and, on Windows, mapped drives to their UNC target when the OS reports it). */
  realPath: string | null;
  exists: boolean;
  writable: boolean;
  freeBytes: number | null;
  totalBytes: number | null;
  problem: string | null;
}

/**
 * Resolves and validates a storage path: a local folder, a mounted share, a UNC path
 * (`\\server\share\…`, Windows) or a symlink to any of those.
 */
export async function inspectStoragePath(kind: StorageKind, p: string): Promise<StoragePathReport> {
  const report: StoragePathReport = { kind, path: p, realPath: null, exists: false, writable: false, freeBytes: null, totalBytes: null, problem: null };
  if (!path.isAbsolute(p)) {
    report.problem = process.platform === 'win32' ? 'must be an absolute path (C:\\… or \\\\server\\share\\…)' : 'must be an absolute path';
    return report;
  }
  try {
    report.realPath = await storageFs.realpath(p);
    report.exists = true;
  } catch (err) {
    report.problem = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist (or is a broken symlink)' : (err as Error).message;
    return report;
  }
  const check = await checkStoragePath(kind, report.realPath);
  report.writable = check.ok;
  if (!check.ok) report.problem = check.problem === 'not a folder' ? 'is not a folder' : `is not writable: ${check.problem}`;
  try {
    const s = await storageFs.statfs(report.realPath);
    report.freeBytes = Number(s.bavail) * Number(s.bsize);
    report.totalBytes = Number(s.blocks) * Number(s.bsize);
  } catch {
    // Some network file systems do not report space; the rest of the report stands.
  }
  return report;
}
