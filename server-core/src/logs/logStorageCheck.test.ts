import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { StorageFs, type StorageStatFs } from '../storage/storageFs.js';
import { makeTempDir, removeTempDirs } from '../testing/tempDir.js';
import { LogStorageCheck } from './logStorageCheck.js';

after(() => removeTempDirs());

/** The real storage calls, each check counted. */
class CountingFs extends StorageFs {
  calls = 0;
  override writableStatfs(p: string): Promise<StorageStatFs> {
    this.calls++;
    return super.writableStatfs(p);
  }
}

describe('LogStorageCheck', () => {
  it('says a folder with room takes writes, and a missing or full one does not', async () => {
    const dir = makeTempDir('shoal-logcheck-');
    assert.equal(await new LogStorageCheck(() => dir).usable(), true);
    assert.equal(await new LogStorageCheck(() => path.join(dir, 'missing')).usable(), false);
    const free = fs.statfsSync(dir);
    assert.equal(await new LogStorageCheck(() => dir, { minFreeBytes: free.bavail * free.bsize * 2 }).usable(), false, 'less room than asked for counts as full');
  });

  it('with no age allowed, answers from a check begun after the question, shared by the askers that wait for it', async () => {
    const dir = makeTempDir('shoal-logcheck-');
    const counting = new CountingFs();
    let folder = dir;
    const check = new LogStorageCheck(() => folder, { minFreeBytes: 1, maxAgeMs: 0, fs: counting });
    const first = check.usable();
    folder = path.join(dir, 'gone'); // moved while the first check is in flight
    const later = await Promise.all(Array.from({ length: 20 }, () => check.usable()));
    assert.equal(await first, true);
    assert.deepEqual(new Set(later), new Set([false]), 'askers during a check get the next one, which sees the move');
    assert.equal(counting.calls, 2, '21 askers, 2 checks');
  });

  it('answers from a check begun at most maxAgeMs before the question, then checks again', async () => {
    const dir = makeTempDir('shoal-logcheck-');
    const counting = new CountingFs();
    let folder = dir;
    const check = new LogStorageCheck(() => folder, { minFreeBytes: 1, maxAgeMs: 200, fs: counting });
    assert.equal(await check.usable(), true);
    folder = path.join(dir, 'gone');
    const soon = await Promise.all(Array.from({ length: 20 }, () => check.usable()));
    assert.deepEqual(new Set(soon), new Set([true]), 'asked within 200 ms of the check: its answer');
    assert.equal(counting.calls, 1);
    await new Promise((r) => setTimeout(r, 250));
    assert.equal(await check.usable(), false, 'later: a new check, which sees the move');
    assert.equal(counting.calls, 2);
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
