import fs from 'node:fs';
import { walkFiles } from '../../storage/walkFiles.js';
import { globToRegExp } from './globs.js';

/**
 * `#{…}` substitution in the files of `installPath` matching the globs, each file saying what
 * was done through `say`. Used by the built-in worker and by agents alike.
 */
export function substituteInFiles(installPath: string, globs: string[], substitute: (text: string) => string, say: (line: string) => void): void {
  if (!globs.length) return;
  const files = walkFiles(installPath);
  for (const glob of globs) {
    const re = globToRegExp(glob);
    const matched = files.filter((f) => re.test(f.relative));
    if (!matched.length) say(`Substituting variables: no file matches ${glob}.`);
    for (const f of matched) {
      const before = fs.readFileSync(f.full, 'utf8');
      const after = substitute(before);
      if (after !== before) fs.writeFileSync(f.full, after);
      say(`Substituted variables in ${f.relative}${after === before ? ' (nothing to replace)' : ''}.`);
    }
  }
}
