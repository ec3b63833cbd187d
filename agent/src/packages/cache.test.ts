import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { PackageCache } from './cache.js';
import { packageServer } from './testServer.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-agent-cache-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

describe("the agent's package cache", () => {
  it('a package fetched once is used from the cache: no second request, no bytes', async () => {
    const bytes = crypto.randomBytes(200_000);
    const s = await packageServer(bytes);
    const cache = new PackageCache(path.join(root, 'hit'));
    try {
      const first = await cache.fetch({ sha256: s.sha256, sizeBytes: bytes.length }, s.open, () => {});
      assert.equal(first.received, bytes.length);
      const lines: string[] = [];
      const second = await cache.fetch({ sha256: s.sha256, sizeBytes: bytes.length }, s.open, (l) => lines.push(l));
      assert.equal(second.received, 0);
      assert.equal(second.file, first.file);
      assert.equal(s.seen.requests, 1);
      assert.match(lines.join('\n'), /is in the agent's cache .*: nothing to transfer/);
      assert.deepEqual(fs.readdirSync(cache.dir), [s.sha256]);
    } finally {
      await s.close();
    }
  });

  it('two fetches of one package at once make one download', async () => {
    const bytes = crypto.randomBytes(300_000);
    const s = await packageServer(bytes);
    const cache = new PackageCache(path.join(root, 'together'));
    try {
      const got = await Promise.all([1, 2].map(() => cache.fetch({ sha256: s.sha256, sizeBytes: bytes.length }, s.open, () => {})));
      assert.deepEqual(got.map((g) => g.received).sort((a, b) => a - b), [0, bytes.length]);
      assert.equal(s.seen.requests, 1);
    } finally {
      await s.close();
    }
  });

  it('a cached copy that no longer matches its hash is downloaded again', async () => {
    const bytes = crypto.randomBytes(50_000);
    const s = await packageServer(bytes);
    const cache = new PackageCache(path.join(root, 'stale'));
    try {
      const { file } = await cache.fetch({ sha256: s.sha256, sizeBytes: bytes.length }, s.open, () => {});
      fs.writeFileSync(file, Buffer.alloc(bytes.length));
      const again = await cache.fetch({ sha256: s.sha256, sizeBytes: bytes.length }, s.open, () => {});
      assert.equal(again.received, bytes.length);
      assert.ok(fs.readFileSync(file).equals(bytes));
    } finally {
      await s.close();
    }
  });

  it('keeps at most maxPackages and maxBytes, least recently used out first, never the one in use', async () => {
    const cache = new PackageCache(path.join(root, 'bounded'), { maxPackages: 2, maxBytes: 25_000 });
    const servers: Awaited<ReturnType<typeof packageServer>>[] = [];
    try {
      for (const size of [10_000, 10_000, 10_000, 40_000]) servers.push(await packageServer(crypto.randomBytes(size)));
      const [a, b, c, big] = servers.map((s) => s.sha256);
      const fetch = (i: number) => cache.fetch({ sha256: servers[i]!.sha256, sizeBytes: [10_000, 10_000, 10_000, 40_000][i]! }, servers[i]!.open, () => {});
      await fetch(0);
      await fetch(1);
      await new Promise((r) => setTimeout(r, 20));
      await fetch(0); // a used again: b is now the least recently used
      await new Promise((r) => setTimeout(r, 20));
      await fetch(2);
      assert.deepEqual(fs.readdirSync(cache.dir).sort(), [a, c].sort());
      assert.ok(!fs.readdirSync(cache.dir).includes(b!));
      await fetch(3); // larger than maxBytes alone: kept (it is in use), the others go
      assert.deepEqual(fs.readdirSync(cache.dir), [big]);
    } finally {
      for (const s of servers) await s.close();
    }
  });

  it('refuses a hash that is not lower-case hex SHA-256 (no path in the cache folder from it)', () => {
    const cache = new PackageCache(path.join(root, 'names'));
    assert.throws(() => cache.fileOf('../../etc/passwd'), /is not a SHA-256/);
  });
});
