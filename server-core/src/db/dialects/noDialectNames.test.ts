/**
 * Behaviour that differs between databases lives in db/dialects/<name>/ as methods of the
 * dialect; nothing else in server-core/src asks which database it runs on.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIALECTS = path.join(SRC, 'db', 'dialects');

function* sources(dir: string): Generator<string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* sources(p);
    else if (e.name.endsWith('.ts')) yield p;
  }
}

it('no code outside db/dialects/ compares or switches on a dialect\'s name', () => {
  const pattern = /dialect\.name\b|\.name\s*[!=]==?\s*['"](sqlite|postgres|mssql)['"]|switch\s*\([^)]*\.name\s*\)/;
  const offenders: string[] = [];
  for (const file of sources(SRC)) {
    if (file.startsWith(DIALECTS + path.sep)) continue;
    fs.readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (pattern.test(line)) offenders.push(`${path.relative(SRC, file)}:${i + 1}: ${line.trim()}`);
      });
  }
  assert.deepEqual(offenders, []);
});
