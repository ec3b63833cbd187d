import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { makeTempDir, removeTempDirs } from '../testing/tempDir.js';
import { installHelpers, readOutputVariables, SET_VARIABLE_COMMAND } from './outputVariables.js';

after(removeTempDirs);

const ARGS: string[][] = [
  ['Plain', 'one two'],
  ['Multi', 'line one\nline two $(not run) `nor this` %PATH% ^&|'],
  ['Secret', 's3cr3t', '--sensitive'],
];

/** Runs each call of ARGS through `run` with a fresh output file; returns the file's bytes. */
function setAll(run: (args: string[], env: NodeJS.ProcessEnv) => void): Buffer {
  const out = path.join(makeTempDir('shoal-outvars-'), 'out');
  for (const args of ARGS) run(args, { ...process.env, SHOAL_OUTPUT_VARIABLES_FILE: out });
  return fs.readFileSync(out);
}

describe('shoal-set-variable', () => {
  it('the Windows helper (run by node, as its .cmd does) writes what the sh helper writes', () => {
    const posix = installHelpers(makeTempDir('shoal-helpers-'), 'linux');
    const windows = installHelpers(makeTempDir('shoal-helpers-'), 'win32', 'C:\\Program Files\\Shoal 100%\\node.exe');
    const bySh = setAll((args, env) => execFileSync(path.join(posix, SET_VARIABLE_COMMAND), args, { env }));
    const byNode = setAll((args, env) => execFileSync(process.execPath, [path.join(windows, `${SET_VARIABLE_COMMAND}.mjs`), ...args], { env }));
    assert.ok(byNode.equals(bySh), `${JSON.stringify(byNode.toString())} vs ${JSON.stringify(bySh.toString())}`);
    const file = path.join(makeTempDir('shoal-outvars-'), 'check');
    fs.writeFileSync(file, byNode);
    assert.deepEqual(readOutputVariables(file), [
      { name: 'Plain', value: 'one two', sensitive: false },
      { name: 'Multi', value: ARGS[1]![1], sensitive: false },
      { name: 'Secret', value: 's3cr3t', sensitive: true },
    ]);
    assert.equal(
      fs.readFileSync(path.join(windows, `${SET_VARIABLE_COMMAND}.cmd`), 'utf8'),
      `@"C:\\Program Files\\Shoal 100%%\\node.exe" "%~dp0${SET_VARIABLE_COMMAND}.mjs" %*\r\n`,
      'the batch file runs the helper with the given node, a % in its path doubled',
    );
  });

  it('the Windows helper refuses a call without a value, as the sh helper does', () => {
    const windows = installHelpers(makeTempDir('shoal-helpers-'), 'win32');
    const r = (() => {
      try {
        execFileSync(process.execPath, [path.join(windows, `${SET_VARIABLE_COMMAND}.mjs`), 'OnlyName'], { stdio: 'pipe' });
        return undefined;
      } catch (err) {
        return err as { status: number; stderr: Buffer };
      }
    })();
    assert.equal(r?.status, 2);
    assert.match(r!.stderr.toString(), /usage: shoal-set-variable NAME VALUE/);
  });
});
