import fs from 'node:fs';
import path from 'node:path';
import { walkFiles } from '../storage/walkFiles.js';

/** Files a task attached: everything its script wrote into $SHOAL_ARTIFACTS_DIR. */
export const taskArtifactsFolder = (artifactsRoot: string, taskName: string): string => path.join(artifactsRoot, taskName);

export interface ArtifactFile {
  /** Relative to the task's folder, with `/` separators. */
  name: string;
  sizeBytes: number;
  modified: string;
}

/** Lists the files under a task's artifacts folder (sub-folders included, symlinks not followed). */
export function listArtifacts(folder: string): ArtifactFile[] {
  return walkFiles(folder).map((f) => ({ name: f.relative, sizeBytes: f.stat.size, modified: f.stat.mtime.toISOString() }));
}

/**
 * The file an artifact name points at, or undefined when the name could leave the task's
 * folder (`..`, absolute, NUL, backslashes) or resolves through a symlink to outside it.
 */
export function resolveArtifact(folder: string, name: string): string | undefined {
  if (!name || name.includes('\0') || name.includes('\\') || name.startsWith('/')) return undefined;
  const parts = name.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) return undefined;
  const file = path.join(folder, ...parts);
  try {
    const realFolder = fs.realpathSync(folder);
    const realFile = fs.realpathSync(file);
    if (!realFile.startsWith(realFolder + path.sep)) return undefined;
    return realFile;
  } catch {
    return undefined;
  }
}
