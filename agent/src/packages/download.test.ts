import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { downloadVerified, HashMismatchError } from './download.js';
import { packageServer } from './testServer.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-agent-download-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
const bytes = crypto.randomBytes(3 * 1024 * 1024 + 17);
const partial = (name: string) => path.join(root, `${name}.partial`);

describe('the agent downloads a package', () => {
  it('resumes with Range where a broken transfer stopped, and ends with the exact bytes', async () => {
    const s = await packageServer(bytes, { cutAfter: 1024 * 1024, cuts: 2 });
    try {
      const lines: string[] = [];
      const stats = await downloadVerified({ open: s.open, partialFile: partial('resume'), sha256: s.sha256, size: bytes.length, say: (l) => lines.push(l), retryDelayMs: 10 });
      assert.ok(fs.readFileSync(partial('resume')).equals(bytes));
      assert.equal(stats.resumes, 2);
      // Each retry asks for the rest from where the file ended (what arrived before the cut).
      const starts = s.seen.ranges.map((r) => (r === undefined ? 0 : Number(/^bytes=(\d+)-$/.exec(r)![1])));
      assert.equal(starts.length, 3);
      assert.ok(starts[0] === 0 && starts[1]! > 0 && starts[2]! > starts[1]! && starts[2]! <= 2 * 1024 * 1024, `ranges asked: ${s.seen.ranges.join(', ')}`);
      // Nothing came twice: the bytes received in all are the file's size.
      assert.equal(stats.received, bytes.length);
      assert.ok(lines.some((l) => l === `resuming the transfer at byte ${starts[1]} of ${bytes.length}`), lines.join('\n'));
    } finally {
      await s.close();
    }
  });

  it('starts over when the server ignores the range', async () => {
    const s = await packageServer(bytes, { cutAfter: 1000, cuts: 1, ignoreRange: true });
    try {
      await downloadVerified({ open: s.open, partialFile: partial('norange'), sha256: s.sha256, size: bytes.length, say: () => {}, retryDelayMs: 10 });
      assert.ok(fs.readFileSync(partial('norange')).equals(bytes));
    } finally {
      await s.close();
    }
  });

  it('refuses a corrupted transfer and downloads it again', async () => {
    const s = await packageServer(bytes, { corrupt: 1 });
    try {
      const lines: string[] = [];
      await downloadVerified({ open: s.open, partialFile: partial('once'), sha256: s.sha256, size: bytes.length, say: (l) => lines.push(l), retryDelayMs: 10 });
      assert.ok(fs.readFileSync(partial('once')).equals(bytes));
      assert.equal(s.seen.requests, 2);
      assert.ok(lines.some((l) => /SHA-256 is [0-9a-f]{64}, not the package's .*: refused; downloading it again/.test(l)), lines.join('\n'));
    } finally {
      await s.close();
    }
  });

  it('gives up on bytes that never match, leaving no file behind', async () => {
    const s = await packageServer(bytes, { corrupt: 10 });
    try {
      await assert.rejects(downloadVerified({ open: s.open, partialFile: partial('bad'), sha256: s.sha256, size: bytes.length, say: () => {}, retryDelayMs: 10 }), (err: Error) => err instanceof HashMismatchError && /refused \(2 times; giving up\)/.test(err.message));
      assert.equal(fs.existsSync(partial('bad')), false);
    } finally {
      await s.close();
    }
  });

  it('a canceled download ends at once with the reason, keeping what arrived for a later resume', { timeout: 30_000 }, async () => {
    const s = await packageServer(bytes, { stallAfter: 64 * 1024 });
    try {
      const ending = new AbortController();
      const download = downloadVerified({ open: s.open, partialFile: partial('cancel'), sha256: s.sha256, size: bytes.length, say: () => {}, signal: ending.signal });
      while ((fs.statSync(partial('cancel'), { throwIfNoEntry: false })?.size ?? 0) < 64 * 1024) await new Promise((r) => setTimeout(r, 20));
      ending.abort(new Error('Canceled by the cluster.'));
      await assert.rejects(download, /^Error: Canceled by the cluster\.$/);
      assert.equal(fs.statSync(partial('cancel')).size, 64 * 1024);
      assert.equal(s.seen.requests, 1, 'not retried');
    } finally {
      await s.close();
    }
  });

  it("refuses a file whose size is not the package's, without retrying", async () => {
    const s = await packageServer(bytes.subarray(0, 1000));
    try {
      await assert.rejects(downloadVerified({ open: s.open, partialFile: partial('short'), sha256: s.sha256, size: bytes.length, say: () => {}, retryDelayMs: 1 }), new RegExp(`the cluster's file is 1000 bytes, not the package's ${bytes.length}: refused`));
      assert.equal(s.seen.requests, 1);
    } finally {
      await s.close();
    }
  });

  it('gives up when attempts keep failing without progress, saying why', async () => {
    const s = await packageServer(bytes);
    await s.close();
    await assert.rejects(downloadVerified({ open: s.open, partialFile: partial('down'), sha256: s.sha256, size: bytes.length, say: () => {}, retryDelayMs: 1, maxStalls: 3 }), /failed 3 times in a row without progress: .*ECONNREFUSED/);
  });
});
