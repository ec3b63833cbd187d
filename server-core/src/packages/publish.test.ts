/**
 * Publishing on shares without hard links or without renames over a file (sshfs without
 * the OpenSSH extensions, SMB), and an upload that does not fit: a real node, real files,
 * a real tmpfs mounted for the full disk (needs root; skipped otherwise).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { makeTempDir, removeTempDirs } from '../testing/tempDir.js';
import { startTestNode, type TestNode } from '../testing/testNode.js';
import { parsePackageFileName } from './fileName.js';
import { PackageExistsError, receivePackage } from './receive.js';

const isRoot = process.getuid?.() === 0;

describe('publishing packages by the method the share allows', () => {
  let tn: TestNode;
  const folder = () => path.join(tn.node.config.storage.packages, 'Spaces-1');
  before(async () => {
    tn = await startTestNode();
  });
  after(async () => {
    await tn?.stop();
    removeTempDirs();
  });

  const receive = (fileName: string, bytes: Buffer, replace = false) =>
    receivePackage({
      shoal: tn.node.shoal,
      packagesRoot: tn.node.config.storage.packages,
      spaceId: 'Spaces-1',
      name: parsePackageFileName(fileName),
      source: Readable.from([bytes]),
      replace,
      publishedBy: 'admin',
      capabilities: { hardLinks: false, renameReplaces: false },
    });

  it('without hard links, of two concurrent uploads of one version exactly one wins and its file is whole', async () => {
    const [a, b] = [crypto.randomBytes(300_000), crypto.randomBytes(300_000)];
    const results = await Promise.allSettled([receive('Race.1.0.0.zip', a), receive('Race.1.0.0.zip', b)]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(won.length, 1);
    assert.ok(lost[0]!.reason instanceof PackageExistsError, String(lost[0]!.reason));
    const stored = fs.readFileSync(path.join(folder(), 'Race.1.0.0.zip'));
    assert.ok(stored.equals(a) || stored.equals(b));
    assert.deepEqual(fs.readdirSync(folder()).filter((f) => f.endsWith('.partial')), []);
  });

  it('a file put under the name by hand is refused, not overwritten', async () => {
    fs.writeFileSync(path.join(folder(), 'Hand.1.0.0.zip'), 'by hand');
    await assert.rejects(receive('Hand.1.0.0.zip', Buffer.from('upload')), PackageExistsError);
    assert.equal(fs.readFileSync(path.join(folder(), 'Hand.1.0.0.zip'), 'utf8'), 'by hand');
  });

  it('replaces where renames do not overwrite, by moving the old file aside first', async () => {
    await receive('Swap.2.0.0.zip', Buffer.from('old'));
    const { replaced } = await receive('Swap.2.0.0.zip', Buffer.from('new'), true);
    assert.equal(replaced, true);
    assert.equal(fs.readFileSync(path.join(folder(), 'Swap.2.0.0.zip'), 'utf8'), 'new');
    assert.deepEqual(fs.readdirSync(folder()).filter((f) => f.startsWith('.')).filter((f) => !f.startsWith('.shoal-')), []);
  });
});

describe('an upload that does not fit', { skip: !isRoot && 'needs root to mount a small tmpfs' }, () => {
  let tn: TestNode;
  let mountPoint: string;
  before(async () => {
    mountPoint = path.join(makeTempDir('shoal-full-'), 'packages');
    fs.mkdirSync(mountPoint);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'shoal-test-full', mountPoint]);
    tn = await startTestNode({ configure: (c) => (c.storage.packages = mountPoint) });
  });
  after(async () => {
    await tn?.stop();
    if (mountPoint) execFileSync('umount', ['-l', mountPoint]);
    removeTempDirs();
  });

  it('says the packages storage is full (507), keeps no file and no record, and the next upload that fits works', async () => {
    const post = async (name: string, size: number) => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(crypto.randomBytes(size))]), name);
      const res = await fetch(`${tn.node.url}/api/Spaces-1/packages/raw`, { method: 'POST', headers: { 'x-api-key': tn.adminKey }, body: form });
      return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
    };
    const big = await post('Big.1.0.0.zip', 4 * 1024 * 1024);
    assert.equal(big.status, 507, JSON.stringify(big.body));
    assert.equal(big.body.error?.code, 'InsufficientStorage');
    assert.match(big.body.error!.message, new RegExp(`packages storage is full at ${mountPoint}`));
    assert.deepEqual(fs.readdirSync(path.join(mountPoint, 'Spaces-1')), []);
    assert.equal((await tn.request({ method: 'GET', url: '/api/Spaces-1/packages/Big/versions' })).statusCode, 404);
    assert.equal((await post('Small.1.0.0.zip', 100_000)).status, 201);
  });
});
