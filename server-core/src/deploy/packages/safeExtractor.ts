import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export class UnsafeEntryError extends Error {}

export type EntryType = 'file' | 'directory' | 'symlink';

/** One entry of an archive, as listed before anything is written. */
export interface ArchiveEntry {
  name: string;
  type: EntryType;
  /** Where a symlink points, as written in the archive. */
  linkTarget?: string;
  mode?: number;
}

/**
 * The path segments of an archive entry, or a refusal: absolute paths, drive letters and
 * `..` could name something outside the install folder.
 */
export function entrySegments(name: string): string[] {
  const clean = name.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
  if (clean.includes('\0')) throw new UnsafeEntryError(`The entry ${JSON.stringify(name)} has a NUL character in its name.`);
  if (clean.startsWith('/') || /^[A-Za-z]:/.test(clean)) throw new UnsafeEntryError(`The entry ${JSON.stringify(name)} has an absolute path.`);
  const segments = clean.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw new UnsafeEntryError(`The entry ${JSON.stringify(name)} leaves the install folder ("..").`);
  return segments;
}

const inside = (root: string, p: string) => p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

/**
 * Checks a whole listing before anything is written: every path stays inside the folder, a
 * symlink points inside it (relative, resolved from where it sits), and no entry is written
 * through a symlink of the same archive (which could point anywhere once placed).
 */
export function checkEntries(entries: ArchiveEntry[]): void {
  const root = path.resolve('/install-root');
  const links = new Set<string>();
  for (const e of entries) {
    const segments = entrySegments(e.name);
    for (let i = 1; i < segments.length; i++) {
      const parent = segments.slice(0, i).join('/');
      if (links.has(parent)) throw new UnsafeEntryError(`The entry ${JSON.stringify(e.name)} is written through the symlink ${parent}.`);
    }
    if (e.type !== 'symlink') continue;
    const target = e.linkTarget ?? '';
    if (!target || path.isAbsolute(target) || /^[A-Za-z]:/.test(target) || target.startsWith('\\')) {
      throw new UnsafeEntryError(`The symlink ${JSON.stringify(e.name)} points to ${JSON.stringify(target)}, outside the install folder.`);
    }
    const at = path.join(root, ...segments.slice(0, -1));
    if (!inside(root, path.resolve(at, target.replace(/\\/g, '/')))) {
      throw new UnsafeEntryError(`The symlink ${JSON.stringify(e.name)} points to ${JSON.stringify(target)}, outside the install folder.`);
    }
    links.add(segments.join('/'));
  }
  // A link made before a later entry that names it as a parent is caught above; one named
  // after its children is harmless (it then fails to be created over the existing folder).
}

/**
 * Writes checked entries into `root`. Each write also checks, on the real file system, that
 * the entry's folder is inside `root` (an install folder reused from an earlier deployment
 * may hold symlinks of its own) and opens files with O_NOFOLLOW.
 */
export class SafeExtractor {
  private readonly root: string;
  files = 0;

  constructor(root: string) {
    fs.mkdirSync(root, { recursive: true });
    this.root = fs.realpathSync(root);
  }

  private target(name: string): string {
    const segments = entrySegments(name);
    const full = path.join(this.root, ...segments);
    const parent = path.dirname(full);
    fs.mkdirSync(parent, { recursive: true });
    if (!inside(this.root, fs.realpathSync(parent))) throw new UnsafeEntryError(`The entry ${JSON.stringify(name)} would be written outside the install folder.`);
    return full;
  }

  directory(name: string): void {
    const full = this.target(name);
    if (entrySegments(name).length) fs.mkdirSync(full, { recursive: true });
  }

  async file(name: string, content: Readable, mode?: number): Promise<void> {
    const full = this.target(name);
    const flags = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | (fs.constants.O_NOFOLLOW ?? 0);
    // Keep the archive's execute bits (scripts), never setuid/setgid or world-writable.
    const fileMode = mode && mode & 0o111 ? 0o755 : 0o644;
    const fd = fs.openSync(full, flags, fileMode);
    await pipeline(content, fs.createWriteStream(full, { fd }));
    this.files++;
  }

  symlink(name: string, target: string): void {
    const full = this.target(name);
    fs.symlinkSync(target.replace(/\\/g, '/'), full);
  }
}
