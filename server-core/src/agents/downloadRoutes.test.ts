import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeTempDir, removeTempDirs } from '../testing/tempDir.js';
import { startTestNode, type TestNode } from '../testing/testNode.js';

/** A bundle folder as agent/scripts/bundle.mjs leaves it, with `bytes` as the archive. */
function writeBundle(dir: string, bytes: Buffer, archive = 'shoal-agent-linux-x64.tar.gz'): Record<string, unknown> {
  fs.writeFileSync(path.join(dir, 'shoal-agent-linux-x64.tar.gz'), bytes);
  const manifest = { version: '9.9.9', platform: 'linux-x64', node: 'v20.20.2', agentSha256: 'a'.repeat(64), archive, size: bytes.length, sha256: crypto.createHash('sha256').update(bytes).digest('hex') };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  return manifest;
}

describe('the agent download', () => {
  let tn: TestNode;
  let bare: TestNode;
  let dir: string;
  before(async () => {
    dir = makeTempDir('shoal-agent-bundle-');
    tn = await startTestNode({ nodeName: 'serves-agent', taskCap: 0, configure: (c) => (c.agentBundleDir = dir) });
    bare = await startTestNode({ nodeName: 'no-agent', taskCap: 0 });
  });
  after(async () => {
    await tn?.stop();
    await bare?.stop();
    removeTempDirs();
  });

  it('serves the manifest and the archive to anyone, with the archive hash and Range, and a rebuilt bundle without a restart', async () => {
    const bytes = crypto.randomBytes(300_000);
    const manifest = writeBundle(dir, bytes);
    const info = await tn.request({ method: 'GET', url: '/api/agent', anonymous: true });
    assert.equal(info.statusCode, 200, info.body);
    assert.deepEqual(info.json(), manifest);
    const file = await tn.request({ method: 'GET', url: '/api/agent/download', anonymous: true });
    assert.equal(file.statusCode, 200);
    assert.equal(file.headers['content-type'], 'application/gzip');
    assert.equal(file.headers['x-shoal-agent-sha256'], manifest.sha256);
    assert.ok(file.rawPayload.equals(bytes), 'the bytes of the archive');
    const tail = await tn.request({ method: 'GET', url: '/api/agent/download', anonymous: true, headers: { range: 'bytes=100000-' } });
    assert.equal(tail.statusCode, 206);
    assert.ok(tail.rawPayload.equals(bytes.subarray(100_000)), 'the rest from byte 100000');

    const rebuilt = writeBundle(dir, crypto.randomBytes(1000));
    assert.equal((await tn.request({ method: 'GET', url: '/api/agent', anonymous: true })).json().sha256, rebuilt.sha256);
  });

  it('a node without a bundle, or with a manifest naming a file elsewhere, says so in the error shape', async () => {
    const none = await bare.request({ method: 'GET', url: '/api/agent/download', anonymous: true });
    assert.equal(none.statusCode, 404);
    assert.match(none.json().error.message, /serves no agent.*npm run build/);
    writeBundle(dir, Buffer.from('x'), '../../shoal.db');
    for (const url of ['/api/agent', '/api/agent/download']) {
      const r = await tn.request({ method: 'GET', url, anonymous: true });
      assert.equal(r.statusCode, 404, `${url}: ${r.body}`);
      assert.equal(r.json().error.code, 'NotFound');
    }
  });
});
