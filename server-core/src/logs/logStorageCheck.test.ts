import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { StorageFs } from '../storage/storageFs.js';
import { makeTempDir, removeTempDirs } from '../testing/tempDir.js';
import { LogStorageCheck } from './logStorageCheck.js';

after(() => removeTempDirs());

/** The real storage calls, each check counted (by its first call). */
class CountingFs extends StorageFs {
  calls = 0;
  override writable(p: string): Promise<void> {
    this.calls++;
    return super.writable(p);
  }
}

describe('LogStorageCheck', () => {
  it('says a folder with room takes writes, and a missing or full one does not', async () => {
    const dir = makeTempDir('shoal-logcheck-');
    assert.equal(await new LogStorageCheck(() => dir).usable(), true);
    assert.equal(await new LogStorageCheck(() => path.join(dir, 'missing')).usable(), false);
    const free = fs.statfsSync(dir);
    assert.equal(await new LogStorageCheck(() => dir, free.bavail * free.bsize * 2).usable(), false, 'less room than asked for counts as full');
  });

  it('answers from a check begun after the question, shared by the askers that wait for it', async () => {
    const dir = makeTempDir('shoal-logcheck-');
    const counting = new CountingFs();
    let folder = dir;
    const check = new LogStorageCheck(() => folder, 1, counting);
    const first = check.usable();
    folder = path.join(dir, 'gone'); // moved while the first check is in flight
    const later = await Promise.all(Array.from({ length: 20 }, () => check.usable()));
    assert.equal(await first, true);
    assert.deepEqual(new Set(later), new Set([false]), 'askers during a check get the next one, which sees the move');
    assert.equal(counting.calls, 2, '21 askers, 2 checks');
  });
});

describe('LogStorageCheck on a read-only mount', { skip: process.getuid?.() !== 0 && 'needs root to mount' }, () => {
  it('says a folder on a read-only file system does not take writes (even as root)', async () => {
    const dir = makeTempDir('shoal-logcheck-ro-');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=4m', `shoal-test-ro-${process.pid}`, dir]);
    try {
      assert.equal(await new LogStorageCheck(() => dir).usable(), false);
    } finally {
      execFileSync('umount', [dir]);
    }
  });
});
