import fs from 'node:fs';
import path from 'node:path';

export interface WalkedFile {
  /** Relative to the root, with `/` separators. */
  relative: string;
  full: string;
  stat: fs.Stats;
}

/**
 * Every regular file under `root`, sub-folders included, symlinks not followed, sorted by
 * relative path. Entries whose name matches `skip` (files or whole folders) are left out;
 * a missing root has no files.
 */
export function walkFiles(root: string, skip?: RegExp): WalkedFile[] {
  const out: WalkedFile[] = [];
  const walk = (dir: string, prefix: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (skip?.test(e.name)) continue;
      const full = path.join(dir, e.name);
      const relative = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory()) walk(full, relative);
      else if (e.isFile()) out.push({ relative, full, stat: fs.statSync(full) });
    }
  };
  walk(root, '');
  return out.sort((a, b) => a.relative.localeCompare(b.relative));
}
