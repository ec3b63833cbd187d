/** The build ships the node, never its tests or test support. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, it } from 'node:test';
import { makeTempDir, removeTempDirs } from './testing/tempDir.js';

after(removeTempDirs);

const SERVER_CORE = fileURLToPath(new URL('..', import.meta.url));

it('the build output holds no test code, test support, or import of node:test', () => {
  const out = makeTempDir('shoal-build-');
  execFileSync(process.execPath, [path.join(SERVER_CORE, '../node_modules/typescript/bin/tsc'), '-p', path.join(SERVER_CORE, 'tsconfig.build.json'), '--outDir', out], { stdio: 'pipe' });
  const files = fs.readdirSync(out, { recursive: true }).map(String).filter((f) => f.endsWith('.js'));
  assert.ok(files.includes(path.join('cli', 'index.js')), `the CLI is built: ${files.length} files`);
  const testish = files.filter((f) => /\.test\.js$|conformance|(^|[\\/])testing[\\/]/.test(f));
  assert.deepEqual(testish, []);
  const importing = files.filter((f) => /from ['"]node:test['"]|require\(['"]node:test['"]\)/.test(fs.readFileSync(path.join(out, f), 'utf8')));
  assert.deepEqual(importing, []);
});
