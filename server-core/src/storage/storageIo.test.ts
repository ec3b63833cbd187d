import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { makeTempDir, removeTempDirs } from '../testing/tempDir.js';
import { StorageFs } from './storageFs.js';
import { StoragePool, StorageTimeoutError } from './storageIo.js';

describe('storage pool', () => {
  after(() => removeTempDirs());

  it('runs calls on its worker threads, and a call that does not answer in time fails without blocking the event loop', async () => {
    const dir = makeTempDir('shoal-pool-');
    const pool = new StoragePool({ workers: 1, timeoutMs: 300 });
    const sfs = new StorageFs(pool);
    await sfs.writeFileAtomic(path.join(dir, 'a'), 'hello');
    assert.equal(await sfs.readTextIfExists(path.join(dir, 'a')), 'hello');
    // A FIFO without a writer: opening it blocks its worker, as a stalled share would.
    const fifo = path.join(dir, 'stalled');
    execFileSync('mkfifo', [fifo]);
    const ticks: number[] = [];
    const timer = setInterval(() => ticks.push(Date.now()), 20);
    await assert.rejects(sfs.open(fifo, 'r'), StorageTimeoutError);
    await assert.rejects(sfs.stat(dir), StorageTimeoutError, 'a call waiting behind the stuck one times out too');
    clearInterval(timer);
    assert.ok(ticks.length >= 10, `the event loop went on (${ticks.length} ticks)`);
    // The share answers again (a writer appears): the worker comes back.
    fs.writeFileSync(fifo, '');
    assert.equal((await sfs.stat(dir)).isDirectory, true);
  });

  it('works in a process started as an ES module with -e (its eval workers inherit --input-type=module)', () => {
    const dir = makeTempDir('shoal-pool-esm-');
    const script = [
      `const { StoragePool } = await import(${JSON.stringify(pathToFileURL(path.join(import.meta.dirname, 'storageIo.ts')).href)});`,
      `const { StorageFs } = await import(${JSON.stringify(pathToFileURL(path.join(import.meta.dirname, 'storageFs.ts')).href)});`,
      'const sfs = new StorageFs(new StoragePool({ workers: 1, timeoutMs: 10_000 }));',
      `await sfs.writeFileAtomic(${JSON.stringify(path.join(dir, 'a'))}, 'from an ES module');`,
      `process.stdout.write(await sfs.readTextIfExists(${JSON.stringify(path.join(dir, 'a'))}));`,
    ].join('\n');
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(out, 'from an ES module');
  });
});
