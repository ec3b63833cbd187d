import path from 'node:path';
import { storageFs } from '../storage/storageFs.js';

/** Files a task attached: everything its script wrote into $SHOAL_ARTIFACTS_DIR. */
export const taskArtifactsFolder = (artifactsRoot: string, taskName: string): string => path.join(artifactsRoot, taskName);

/**
 * The list of a finished task's artifacts, written by the node that ran it into the task's
 * folder. Other nodes read it by name: a share's directory listing can stay stale for a
 * while (sshfs: 20 s) when reads by name are fresh.
 */
export const MANIFEST = '.shoal-artifacts.json';

export interface ArtifactFile {
  /** Relative to the task's folder, with `/` separators. */
  name: string;
  sizeBytes: number;
  modified: string;
}

/** Every file under `folder` (sub-folders included, symlinks not followed), through the storage gate. */
async function walkArtifacts(folder: string): Promise<ArtifactFile[]> {
  const out: ArtifactFile[] = [];
  const walk = async (dir: string, prefix: string) => {
    let entries;
    try {
      entries = await storageFs.readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const e of entries) {
      if (!prefix && e.name === MANIFEST) continue;
      const full = path.join(dir, e.name);
      const name = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory) await walk(full, name);
      else if (e.isFile) {
        const stat = await storageFs.stat(full);
        out.push({ name, sizeBytes: stat.size, modified: new Date(stat.mtimeMs).toISOString() });
      }
    }
  };
  await walk(folder, '');
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Lists the task's folder as the node that ran it sees it, and records the list in the folder. */
export async function recordArtifacts(folder: string): Promise<ArtifactFile[]> {
  const files = await walkArtifacts(folder);
  await storageFs.writeFileAtomic(path.join(folder, MANIFEST), JSON.stringify(files));
  return files;
}

/** A finished task's recorded list; while it runs (no list yet), what this node's listing shows. */
export async function listArtifacts(folder: string): Promise<ArtifactFile[]> {
  const recorded = await storageFs.readTextIfExists(path.join(folder, MANIFEST));
  if (recorded !== undefined) {
    try {
      return JSON.parse(recorded) as ArtifactFile[];
    } catch {
      // A damaged list: fall back to the listing.
    }
  }
  return walkArtifacts(folder);
}

/**
 * The file an artifact name points at, or undefined when the name could leave the task's
 * folder (`..`, absolute, NUL, backslashes) or resolves through a symlink to outside it.
 */
export async function resolveArtifact(folder: string, name: string): Promise<string | undefined> {
  if (!name || name.includes('\0') || name.includes('\\') || name.startsWith('/')) return undefined;
  const parts = name.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..') || name === MANIFEST) return undefined;
  const file = path.join(folder, ...parts);
  try {
    const realFolder = await storageFs.realpath(folder);
    const realFile = await storageFs.realpath(file);
    if (!realFile.startsWith(realFolder + path.sep)) return undefined;
    return realFile;
  } catch {
    return undefined;
  }
}
