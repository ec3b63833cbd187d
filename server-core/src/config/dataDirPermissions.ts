import fs from 'node:fs';
import path from 'node:path';

/** The data dir holds the database, the master key and the config: its owner's only. */
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/**
 * Creates the data dir (0700) or tightens an existing one and the files directly in it
 * (0600) when other accounts could read them. Returns one sentence per change, for the log;
 * with `earlier` (the names the folder held before this process made files in it), files
 * made since are tightened without a word: nobody could have read them yet.
 */
export function secureDataDir(dataDir: string, earlier?: Set<string>): string[] {
  const changes: string[] = [];
  fs.mkdirSync(dataDir, { recursive: true, mode: DIR_MODE });
  const tighten = (p: string, mode: number, tell: boolean) => {
    const st = fs.statSync(p);
    if ((st.mode & 0o777 & ~mode) !== 0) {
      fs.chmodSync(p, mode);
      if (tell) changes.push(`${p} was readable by other accounts (mode ${(st.mode & 0o777).toString(8)}); now ${mode.toString(8)}`);
    }
  };
  if (process.platform === 'win32') return changes;
  tighten(dataDir, DIR_MODE, true);
  for (const entry of fs.readdirSync(dataDir, { withFileTypes: true })) {
    if (entry.isFile()) tighten(path.join(dataDir, entry.name), FILE_MODE, !earlier || earlier.has(entry.name));
  }
  return changes;
}
