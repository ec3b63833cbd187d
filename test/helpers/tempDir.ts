import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onTeardown } from './teardown.js';

/** A fresh folder under the OS temp dir, removed at teardown unless SHOAL_TEST_KEEP=1. */
export function tempDir(prefix = 'shoal-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  onTeardown(() => {
    if (process.env.SHOAL_TEST_KEEP === '1') process.stderr.write(`kept ${dir}\n`);
    else fs.rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}
