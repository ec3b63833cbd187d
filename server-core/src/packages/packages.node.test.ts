/**
 * The package repository, artifacts and storage settings on a real node (SQLite, storage
 * folders, HTTP on a free port).
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { Writable } from 'node:stream';
import pino from 'pino';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { taskArtifactsFolder } from '../artifacts/artifacts.js';
import { makeTempDir, removeTempDirs } from '../testing/tempDir.js';
import { startTestNode, type TestNode } from '../testing/testNode.js';
import { waitFor } from '../testing/wait.js';

let tn: TestNode;
const folder = () => path.join(tn.node.config.storage.packages, 'Spaces-1');
const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const visibleFiles = () => (fs.existsSync(folder()) ? fs.readdirSync(folder()).filter((f) => !f.startsWith('.shoal-')) : []);

async function upload(fileName: string, bytes: Buffer, o: { replace?: boolean; space?: string; part?: string } = {}) {
  const form = new FormData();
  form.append(o.part ?? 'file', new Blob([new Uint8Array(bytes)]), fileName);
  const res = await fetch(`${tn.node.url}/api/${o.space ?? 'Spaces-1'}/packages/raw${o.replace ? '?replace=true' : ''}`, {
    method: 'POST',
    headers: { 'x-api-key': tn.adminKey },
    body: form,
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** A multipart upload of `fileName` declaring `declaredBytes`, its head sent: the test writes (or withholds) the rest. */
function startUpload(fileName: string, declaredBytes: number): http.ClientRequest {
  const boundary = 'shoalboundary';
  const req = http.request(`${tn.node.url}/api/Spaces-1/packages/raw`, {
    method: 'POST',
    headers: { 'x-api-key': tn.adminKey, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(declaredBytes) },
  });
  req.on('error', () => {});
  req.write(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${fileName}"\r\ncontent-type: application/octet-stream\r\n\r\n`);
  return req;
}

const get = async (url: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${tn.node.url}${url}`, { headers: { 'x-api-key': tn.adminKey, ...headers } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
};
const getJson = async (url: string) => {
  const r = await get(url);
  return { status: r.status, body: JSON.parse(r.bytes.toString()) };
};

async function runTask(kind: string, args: Record<string, unknown> = {}) {
  const res = await tn.request({ method: 'POST', url: '/api/tasks', payload: { kind, arguments: args } });
  assert.equal(res.statusCode, 201, res.body);
  const id = res.json().id as string;
  const task = await waitFor(async () => {
    const t = (await tn.request({ method: 'GET', url: `/api/tasks/${id}` })).json();
    return ['Success', 'Failed', 'Canceled', 'TimedOut'].includes(t.state) ? t : undefined;
  }, `${id} to finish`);
  const log = (await tn.request({ method: 'GET', url: `/api/tasks/${id}/log` })).body;
  return { task, log };
}

/** The node's log lines (info and up), to see how it answered a client that cannot read the answer. */
const nodeLog: { level: number; msg: string }[] = [];
const logStream = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) nodeLog.push(JSON.parse(line));
    done();
  },
});

before(async () => {
  tn = await startTestNode({ heartbeatMs: 200, extra: { logger: pino({ level: 'info' }, logStream) } });
});
after(async () => {
  await tn?.stop();
  removeTempDirs();
});

describe('package repository', () => {
  it('stores an upload under its name with its SHA-256 and size, and answers 201 with the package', async () => {
    const bytes = crypto.randomBytes(300_000);
    const r = await upload('Acme.Web.1.2.3.zip', bytes);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.packageId, 'Acme.Web');
    assert.equal(r.body.version, '1.2.3');
    assert.equal(r.body.sizeBytes, bytes.length);
    assert.equal(r.body.hash, sha(bytes));
    assert.deepEqual(fs.readFileSync(path.join(folder(), 'Acme.Web.1.2.3.zip')), bytes);
    assert.deepEqual(visibleFiles().filter((f) => f.startsWith('.')), [], 'no temporary file left');
  });

  it('refuses the same id and version (409) unless ?replace=true, and keeps the stored file', async () => {
    const first = fs.readFileSync(path.join(folder(), 'Acme.Web.1.2.3.zip'));
    const again = await upload('acme.web.1.2.3+build.9.nupkg', Buffer.from('other'));
    assert.equal(again.status, 409, JSON.stringify(again.body));
    assert.equal(again.body.error.code, 'Conflict');
    assert.deepEqual(fs.readFileSync(path.join(folder(), 'Acme.Web.1.2.3.zip')), first);
    const replacement = crypto.randomBytes(1000);
    const replaced = await upload('Acme.Web.1.2.3.zip', replacement, { replace: true });
    assert.equal(replaced.status, 201, JSON.stringify(replaced.body));
    assert.equal(replaced.body.hash, sha(replacement));
    assert.deepEqual(fs.readFileSync(path.join(folder(), 'Acme.Web.1.2.3.zip')), replacement);
  });

  it('refuses file names that try to leave the folder or that Windows reserves (400), leaving nothing', async () => {
    const before = visibleFiles().sort();
    for (const name of ['../escape.1.0.0.zip', '..\\escape.1.0.0.zip', 'sub/escape.1.0.0.zip', '/tmp/escape.1.0.0.zip', 'CON.1.0.0.zip', 'nover.zip']) {
      const r = await upload(name, Buffer.from('x'));
      assert.equal(r.status, 400, `${name}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.code, 'BadRequest');
    }
    assert.deepEqual(visibleFiles().sort(), before);
    assert.ok(!fs.existsSync(path.join(tn.node.config.storage.packages, 'escape.1.0.0.zip')));
  });

  it('answers 404 for an unknown space and 400 for a missing or misnamed part', async () => {
    assert.equal((await upload('A.1.0.0.zip', Buffer.from('x'), { space: 'Spaces-99' })).status, 404);
    const wrongPart = await upload('A.1.0.0.zip', Buffer.from('x'), { part: 'package' });
    assert.equal(wrongPart.status, 400);
    assert.match(wrongPart.body.error.message, /"file"/);
    const json = await tn.request({ method: 'POST', url: '/api/Spaces-1/packages/raw', payload: { a: 1 } });
    assert.equal(json.statusCode, 415, json.body);
  });

  it('lists packages with their latest version, versions newest first, with a filter and paging', async () => {
    for (const v of ['1.0.0', '1.10.0', '1.2.0', '2.0.0-beta.1']) assert.equal((await upload(`Tools.${v}.tgz`, Buffer.from(v))).status, 201);
    const list = await getJson('/api/Spaces-1/packages?filter=tool');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.items.map((p: any) => [p.packageId, p.latestVersion, p.versionCount]), [['Tools', '2.0.0-beta.1', 4]]);
    const all = await getJson('/api/Spaces-1/packages?take=1&skip=1');
    assert.equal(all.body.total, 2);
    assert.equal(all.body.items[0].packageId, 'Tools');
    const versions = await getJson('/api/Spaces-1/packages/tools/versions');
    assert.deepEqual(versions.body.items.map((p: any) => p.version), ['2.0.0-beta.1', '1.10.0', '1.2.0', '1.0.0']);
    assert.equal((await getJson('/api/Spaces-1/packages/nothing/versions')).status, 404);
    assert.equal((await getJson('/api/Spaces-9/packages')).status, 404);
    assert.equal((await getJson('/api/Spaces-1/packages?filter=%25')).body.total, 0, 'the filter is literal');
  });

  it('downloads whole and by Range, and deletes (record, then file)', async () => {
    const bytes = crypto.randomBytes(5000);
    await upload('Ranged.3.0.0.zip', bytes);
    const whole = await get('/api/Spaces-1/packages/Ranged/versions/3.0.0/raw');
    assert.equal(whole.status, 200);
    assert.deepEqual(whole.bytes, bytes);
    assert.equal(whole.headers.get('accept-ranges'), 'bytes');
    assert.match(whole.headers.get('content-disposition') ?? '', /Ranged\.3\.0\.0\.zip/);
    const part = await get('/api/Spaces-1/packages/Ranged/versions/3.0.0/raw', { range: 'bytes=100-199' });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 100-199/${bytes.length}`);
    assert.deepEqual(part.bytes, bytes.subarray(100, 200));
    assert.equal((await get('/api/Spaces-1/packages/Ranged/versions/3.0.0/raw', { range: 'bytes=9999-' })).status, 416);
    const del = await tn.request({ method: 'DELETE', url: '/api/Spaces-1/packages/Ranged/versions/3.0.0' });
    assert.equal(del.statusCode, 204, del.body);
    assert.ok(!fs.existsSync(path.join(folder(), 'Ranged.3.0.0.zip')));
    assert.equal((await get('/api/Spaces-1/packages/Ranged/versions/3.0.0/raw')).status, 404);
  });

  it('a delete whose file the storage will not remove says the record is gone and what is left (503), and is not retried into a 404 blindly', async () => {
    await upload('Stuck.1.0.0.zip', crypto.randomBytes(100));
    const file = path.join(folder(), 'Stuck.1.0.0.zip');
    // A folder with something in it where the file was: removing it as a file fails.
    fs.rmSync(file);
    fs.mkdirSync(file);
    fs.writeFileSync(path.join(file, 'inside'), 'x');
    try {
      const del = await tn.request({ method: 'DELETE', url: '/api/Spaces-1/packages/Stuck/versions/1.0.0' });
      assert.equal(del.statusCode, 503, del.body);
      assert.equal(del.json().error.code, 'StorageUnavailable');
      assert.match(del.json().error.message, /^Stuck 1\.0\.0 is deleted from the index, but its file Stuck\.1\.0\.0\.zip could not be removed from the packages storage \(.+\); remove it there/);
      assert.ok(!del.body.includes(folder()), 'no path inside the storage is shown');
      assert.equal((await getJson('/api/Spaces-1/packages/Stuck/versions')).status, 404);
      const event = await tn.node.shoal.db.selectFrom('events').selectAll().where('action', '=', 'package.delete').where('target', '=', 'Spaces-1/Stuck.1.0.0').executeTakeFirst();
      assert.deepEqual(JSON.parse(String(event?.details)), { fileLeft: 'Stuck.1.0.0.zip' }, 'the audit trail has the delete and the file left behind');
    } finally {
      fs.rmSync(file, { recursive: true });
    }
  });

  it('of two concurrent uploads of one version, one gets 201 and the other 409; the stored file is the winner\'s', async () => {
    const a = crypto.randomBytes(2_000_000);
    const b = crypto.randomBytes(2_000_000);
    const [ra, rb] = await Promise.all([upload('Race.1.0.0.zip', a), upload('Race.1.0.0.zip', b)]);
    assert.deepEqual([ra.status, rb.status].sort(), [201, 409]);
    const winner = ra.status === 201 ? a : b;
    assert.deepEqual(fs.readFileSync(path.join(folder(), 'Race.1.0.0.zip')), winner);
    const [rc, rd] = await Promise.all([upload('Race2.1.0.0.zip', a), upload('race2.1.0.0.nupkg', b)]);
    assert.deepEqual([rc.status, rd.status].sort(), [201, 409], 'different names of one version');
    assert.equal(visibleFiles().filter((f) => /^race2/i.test(f)).length, 1);
    assert.deepEqual(visibleFiles().filter((f) => f.endsWith('.partial')), []);
  });

  it('an upload the client abandons halfway leaves no file and no record', async () => {
    const req = startUpload('Abandoned.1.0.0.zip', 10_000_000);
    req.write(crypto.randomBytes(1_000_000));
    await waitFor(() => fs.readdirSync(folder()).some((f) => f.endsWith('.partial')), 'the upload to reach the disk');
    req.destroy();
    await waitFor(() => !fs.readdirSync(folder()).some((f) => f.endsWith('.partial')), 'the temporary file to go');
    assert.ok(!fs.existsSync(path.join(folder(), 'Abandoned.1.0.0.zip')));
    await waitFor(() => nodeLog.some((l) => /upload did not finish/.test(l.msg)), 'the node to log the upload as not finished');
    assert.deepEqual(nodeLog.filter((l) => l.level >= 50).map((l) => l.msg), [], 'a client going away is not a server error');
    assert.equal((await getJson('/api/Spaces-1/packages/Abandoned/versions')).status, 404);
  });

  it('an upload the storage refuses mid-stream answers 503 naming the storage, not "did not finish", and keeps nothing', async () => {
    // The space's folder replaced by a file: every storage call for it fails while the client is still sending.
    const aside = `${folder()}.aside`;
    fs.mkdirSync(folder(), { recursive: true });
    fs.renameSync(folder(), aside);
    fs.writeFileSync(folder(), 'not a folder');
    try {
      const req = startUpload('Refused.1.0.0.zip', 10_000_000);
      const answer = new Promise<{ status: number; body: any }>((resolve, reject) => {
        req.on('response', (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
          res.on('error', reject);
        });
      });
      req.write(crypto.randomBytes(1_000_000));
      const { status, body } = await answer;
      req.destroy();
      assert.equal(status, 503, JSON.stringify(body));
      assert.equal(body.error.code, 'StorageUnavailable');
      assert.match(body.error.message, /^The packages storage failed: [a-z ]+ \(E(EXIST|NOTDIR)\)\./);
      assert.ok(!body.error.message.includes(tn.node.config.storage.packages), 'no server path is shown');
    } finally {
      fs.rmSync(folder());
      fs.renameSync(aside, folder());
    }
    assert.equal((await getJson('/api/Spaces-1/packages/Refused/versions')).status, 404);
  });

  it('PackageReindex indexes files added by hand, drops records of removed files, and logs both', async () => {
    const added = Buffer.from('added by hand');
    fs.writeFileSync(path.join(folder(), 'Manual.4.5.6.zip'), added);
    fs.writeFileSync(path.join(folder(), 'not-a-package.txt'), 'x');
    fs.rmSync(path.join(folder(), 'Tools.1.0.0.tgz'));
    const { task, log } = await runTask('PackageReindex');
    assert.equal(task.state, 'Success', log);
    assert.match(log, /Added Manual\.4\.5\.6\.zip/);
    assert.match(log, /Removed Tools 1\.0\.0 from the index/);
    assert.match(log, /Ignored not-a-package\.txt/);
    const v = await getJson('/api/Spaces-1/packages/Manual/versions');
    assert.equal(v.body.items[0].hash, sha(added));
    assert.deepEqual((await getJson('/api/Spaces-1/packages/Tools/versions')).body.items.map((p: any) => p.version), ['2.0.0-beta.1', '1.10.0', '1.2.0']);
  });
});

describe('artifacts', () => {
  it('a script attaches files through $SHOAL_ARTIFACTS_DIR; they are listed and downloaded', async () => {
    const { task, log } = await runTask('AdHocScript', {
      syntax: 'bash',
      script: 'echo report > "$SHOAL_ARTIFACTS_DIR/report.txt"; mkdir -p "$SHOAL_ARTIFACTS_DIR/logs"; printf abc > "$SHOAL_ARTIFACTS_DIR/logs/a b.log"',
    });
    assert.equal(task.state, 'Success', log);
    const list = await getJson(`/api/tasks/${task.id}/artifacts`);
    assert.deepEqual(list.body.items.map((a: any) => [a.name, a.sizeBytes]), [['logs/a b.log', 3], ['report.txt', 7]]);
    const file = await get(list.body.items[0].links.raw);
    assert.equal(file.bytes.toString(), 'abc');
    assert.equal((await get(`/api/tasks/${task.id}/artifacts/..%2F..%2Fshoal.db`)).status, 404);
    assert.equal((await get(`/api/tasks/${task.id}/artifacts/nothing.txt`)).status, 404);
    assert.equal((await get('/api/tasks/ServerTasks-999999/artifacts')).status, 404);
  });

  it('a storage call that fails under a request answers 503 StorageUnavailable with the reason, not 500', async () => {
    const { task } = await runTask('AdHocScript', { syntax: 'bash', script: 'echo x > "$SHOAL_ARTIFACTS_DIR/x.txt"' });
    const dir = taskArtifactsFolder(tn.node.config.storage.artifacts, task.id);
    fs.rmSync(dir, { recursive: true });
    fs.writeFileSync(dir, 'not a folder');
    const list = await getJson(`/api/tasks/${task.id}/artifacts`);
    assert.equal(list.status, 503, JSON.stringify(list.body));
    assert.equal(list.body.error.code, 'StorageUnavailable');
    assert.equal(list.body.error.message, 'The storage failed: not a directory (ENOTDIR). Try again shortly.', 'the reason, without the server path');
  });
});

describe('storage settings and verification', () => {
  it('GET reports each path resolved, writable, with free space; the node row and ping carry the verdict', async () => {
    const s = await getJson('/api/configuration/storage');
    assert.equal(s.status, 200);
    assert.deepEqual(s.body.paths.map((p: any) => p.kind), ['packages', 'artifacts', 'taskLogs', 'imports', 'eventExports']);
    for (const p of s.body.paths) {
      assert.equal(p.exists && p.writable, true, JSON.stringify(p));
      assert.ok(p.freeBytes > 0);
    }
    const node = await waitFor(async () => (await getJson('/api/nodes')).body[0].storage, 'a storage verdict');
    assert.equal(node.ok, true, JSON.stringify(node));
    const ping = await fetch(`${tn.node.url}/api/nodes/ping`);
    assert.equal(((await ping.json()) as any).storage.ok, true);
    assert.ok(fs.existsSync(path.join(tn.node.config.storage.taskLogs, '.shoal-nodes', 'test-node.marker')));
  });

  it('PUT validates every path (400 naming the kind) and follows symlinks', async () => {
    const bad = await tn.request({ method: 'PUT', url: '/api/configuration/storage', payload: { imports: '/nonexistent/shoal/imports' } });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.match(bad.json().error.message, /^imports: /);
    const rel = await tn.request({ method: 'PUT', url: '/api/configuration/storage', payload: { imports: 'relative/path' } });
    assert.equal(rel.statusCode, 400);
    const target = makeTempDir('shoal-imports-');
    const link = path.join(makeTempDir('shoal-link-'), 'imports-link');
    fs.symlinkSync(target, link);
    const ok = await tn.request({ method: 'PUT', url: '/api/configuration/storage', payload: { imports: link } });
    assert.equal(ok.statusCode, 200, ok.body);
    const imports = ok.json().paths.find((p: any) => p.kind === 'imports');
    assert.equal(imports.path, link);
    assert.equal(imports.realPath, fs.realpathSync(target));
    assert.equal(imports.source, 'cluster');
    assert.equal(tn.node.config.storage.imports, link);
  });

  it('a second node on the same database with its own folders sees that it does not share them', async () => {
    const other = await startTestNode({ dataDir: makeTempDir('shoal-node2-'), nodeName: 'other-node', heartbeatMs: 200, configure: (c) => {
      c.databaseUrl = tn.node.config.databaseUrl;
      c.masterKey = fs.readFileSync(path.join(tn.dataDir, 'master.key'), 'utf8').trim();
    } });
    try {
      const verdict = await waitFor(async () => {
        const n = (await getJson('/api/nodes')).body.find((x: any) => x.name === 'other-node');
        return n?.storage && !n.storage.ok ? n.storage : undefined;
      }, 'other-node to report a storage problem');
      assert.match(verdict.problems.join('\n'), /packages: .* is not the folder test-node \(no marker\) uses/);
      // imports is cluster-wide now (previous test), so both see the same folder for it.
      assert.ok(!verdict.problems.some((p: string) => p.startsWith('imports:')), verdict.problems.join('\n'));
      const ping = (await (await fetch(`${other.node.url}/api/nodes/ping`)).json()) as any;
      assert.equal(ping.storage.ok, false);
      const check = await runTask('SystemIntegrityCheck');
      assert.equal(check.task.state, 'Failed');
      assert.match(check.log, /Shared storage: packages: .*other-node/);
    } finally {
      await other.stop();
    }
  });
});
