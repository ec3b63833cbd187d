import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeTempDir, removeTempDirs } from '../testing/tempDir.js';
import { startTestNode, type TestNode } from '../testing/testNode.js';

const HOST = `${process.platform}-${process.arch}`;

/** A bundle folder as agent/scripts/bundle.mjs leaves it: an archive of `bytes` for each platform. */
function writeBundles(dir: string, platforms: Record<string, Buffer>, archiveName = (p: string) => `shoal-agent-${p}.tar.gz`): Record<string, unknown>[] {
  const bundles = Object.entries(platforms).map(([platform, bytes]) => {
    fs.writeFileSync(path.join(dir, `shoal-agent-${platform}.tar.gz`), bytes);
    return { version: '9.9.9', platform, node: 'v20.20.2', agentSha256: 'a'.repeat(64), archive: archiveName(platform), size: bytes.length, sha256: crypto.createHash('sha256').update(bytes).digest('hex') };
  });
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ bundles }));
  return bundles;
}
const writeBundle = (dir: string, bytes: Buffer, archiveName?: (p: string) => string) => writeBundles(dir, { [HOST]: bytes }, archiveName)[0]!;

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
    assert.deepEqual(info.json(), { ...manifest, platforms: [HOST] });
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
    writeBundle(dir, Buffer.from('x'), () => '../../shoal.db');
    for (const url of ['/api/agent', '/api/agent/download']) {
      const r = await tn.request({ method: 'GET', url, anonymous: true });
      assert.equal(r.statusCode, 404, `${url}: ${r.body}`);
      assert.equal(r.json().error.code, 'NotFound');
    }
  });

  it("serves each platform's agent by ?platform=, the node's own by default, and names what it has when asked for another", async () => {
    const other = HOST === 'win32-x64' ? 'linux-arm64' : 'win32-x64';
    const [first, second] = writeBundles(dir, { [other]: crypto.randomBytes(2000), [HOST]: crypto.randomBytes(3000) });
    const platforms = [other, HOST];
    const ask = (url: string) => tn.request({ method: 'GET', url, anonymous: true });
    assert.deepEqual((await ask('/api/agent')).json(), { ...second, platforms }, "the node's own platform first, wherever it is listed");
    assert.deepEqual((await ask(`/api/agent?platform=${other}`)).json(), { ...first, platforms });
    const download = await ask(`/api/agent/download?platform=${other}`);
    assert.equal(download.statusCode, 200);
    assert.equal(download.headers['x-shoal-agent-sha256'], first!.sha256);
    assert.ok(download.rawPayload.equals(fs.readFileSync(path.join(dir, `shoal-agent-${other}.tar.gz`))));
    const missing = await ask('/api/agent/download?platform=darwin-arm64');
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.message, `This node serves no agent for darwin-arm64; it serves ${platforms.join(', ')}.`);
    for (const bad of ['plan9-x64', '..%2F..%2Fshoal.db', 'linux-x64%0A']) {
      const r = await ask(`/api/agent?platform=${bad}`);
      assert.equal(r.statusCode, 400, `${bad}: ${r.body}`);
      assert.equal(r.json().error.code, 'BadRequest');
    }
  });
});
