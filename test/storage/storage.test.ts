/**
 * Shared storage and the package repository on a real cluster: two `shoal run` nodes on a
 * throwaway PostgreSQL with cluster-shared storage, behind Debian's HAProxy running the
 * example config. Uploads stream through the proxy with chunked encoding.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ShoalClient } from '../helpers/apiClient.js';
import { runShoalCli } from '../helpers/cli.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { freePort } from '../helpers/freePort.js';
import { startHaproxy, type Haproxy } from '../helpers/haproxy.js';
import { startShoalProcess } from '../helpers/shoalProcess.js';
import { teardown } from '../helpers/teardown.js';
import { waitFor } from '../helpers/waitFor.js';
import { multipartUpload, PatternStream, sampleRss, rssOf, sha256File } from './upload.js';

const MiB = 1024 * 1024;
/** SHOAL_TEST_BIG_UPLOAD_MIB overrides the size of the big upload (default 2 GiB). */
const BIG = Number(process.env.SHOAL_TEST_BIG_UPLOAD_MIB ?? 2048) * MiB;

describe('shared storage and packages on a two-node cluster behind HAProxy', { timeout: 600_000 }, () => {
  let cluster: Cluster;
  let lb: Haproxy;
  let apiKey: string;
  let client: ShoalClient;
  const packagesDir = () => path.join(cluster.sharedRoot, 'packages', 'Spaces-1');
  const partials = () => (fs.existsSync(packagesDir()) ? fs.readdirSync(packagesDir()).filter((f) => f.endsWith('.partial')) : []);
  const rawUrl = (base: string) => `${base}/api/Spaces-1/packages/raw`;

  before(async () => {
    cluster = await startCluster(2, 1);
    lb = await startHaproxy(cluster.dir, await freePort(), cluster.nodes.map((n) => ({ name: n.nodeName, port: n.port })));
    const created = await runShoalCli(['api-key', 'create', '--name', 'storage-test', '--data-dir', path.join(cluster.dir, 'cli')], {
      SHOAL_DATABASE_URL: cluster.databaseUrl,
      SHOAL_MASTER_KEY: cluster.masterKey,
    });
    assert.equal(created.code, 0, created.stderr);
    apiKey = created.stdout.trim();
    client = new ShoalClient(lb.url, { apiKey });
  });
  after(() => teardown());

  it('both nodes verify that they share every storage folder', async () => {
    const nodes = await waitFor(
      async () => {
        const list = await client.get('/api/nodes');
        return list.length === 2 && list.every((n: any) => n.storage?.ok) ? list : undefined;
      },
      { timeoutMs: 20_000, message: 'both nodes to report shared storage ok' },
    );
    assert.deepEqual(nodes.map((n: any) => n.storage.problems), [[], []]);
    for (const n of cluster.nodes) {
      const ping = await (await fetch(`${n.url}/api/nodes/ping`)).json();
      assert.equal(ping.storage.ok, true);
    }
  });

  it('a small upload through HAProxy is stored with its hash; the other node downloads it', async () => {
    const src = new PatternStream(3 * MiB + 17, 7);
    const r = await multipartUpload(rawUrl(lb.url), apiKey, 'Small.App.1.0.0-beta.1.zip', src);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const hash = src.hash.digest('hex');
    assert.equal(r.body.hash, hash);
    assert.equal(r.body.sizeBytes, 3 * MiB + 17);
    const other = cluster.nodes.find((n) => n.nodeName !== r.node)!;
    const res = await fetch(`${other.url}/api/Spaces-1/packages/Small.App/versions/1.0.0-beta.1/raw`, { headers: { 'x-api-key': apiKey } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-shoal-node'), other.nodeName);
    assert.equal(crypto.createHash('sha256').update(Buffer.from(await res.arrayBuffer())).digest('hex'), hash);
  });

  it(`streams a ${BIG / MiB} MiB upload through HAProxy with flat memory and the right hash`, async () => {
    const pids = cluster.nodes.map((n) => n.pid);
    const baseline = new Map(pids.map((p) => [p, rssOf(p)]));
    const sampler = sampleRss(pids, 100);
    const src = new PatternStream(BIG, 42);
    const r = await multipartUpload(rawUrl(lb.url), apiKey, 'Big.Package.2.0.0.tgz', src);
    const peak = sampler.stop();
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const hash = src.hash.digest('hex');
    assert.equal(r.body.hash, hash, 'the server hashed what was sent');
    assert.equal(r.body.sizeBytes, BIG);
    const node = cluster.nodes.find((n) => n.nodeName === r.node)!;
    const growth = peak.get(node.pid)! - baseline.get(node.pid)!;
    const mibps = BIG / MiB / (r.ms / 1000);
    process.stderr.write(
      `big upload: ${BIG / MiB} MiB in ${(r.ms / 1000).toFixed(1)} s (${mibps.toFixed(0)} MiB/s) to ${node.nodeName}; RSS ${(baseline.get(node.pid)! / MiB).toFixed(0)} → peak ${(peak.get(node.pid)! / MiB).toFixed(0)} MiB (growth ${(growth / MiB).toFixed(1)} MiB)\n`,
    );
    assert.ok(growth < 64 * MiB, `RSS grew by ${(growth / MiB).toFixed(1)} MiB`);
    assert.equal(await sha256File(path.join(packagesDir(), 'Big.Package.2.0.0.tgz')), hash, 'the file on shared storage');
    assert.deepEqual(partials(), []);
  });

  it('an upload aborted mid-way leaves no file and no record', async () => {
    const src = new PatternStream(512 * MiB, 3);
    let sawPartial = false;
    const watcher = setInterval(() => (sawPartial ||= partials().length > 0), 20);
    const r = await multipartUpload(rawUrl(lb.url), apiKey, 'Aborted.1.0.0.zip', src, { abortAfter: 64 * MiB });
    clearInterval(watcher);
    assert.equal(r.status, 0, 'the client gave up before any answer');
    assert.ok(sawPartial, 'the upload had reached the disk');
    await waitFor(() => partials().length === 0, { timeoutMs: 15_000, message: 'the temporary file to be removed' });
    assert.ok(!fs.existsSync(path.join(packagesDir(), 'Aborted.1.0.0.zip')));
    const res = await client.request('GET', '/api/Spaces-1/packages/Aborted/versions');
    assert.equal(res.status, 404, res.text);
  });

  it('refuses file names that try to leave the folder (400) and stores nothing', async () => {
    const before = fs.readdirSync(packagesDir()).sort();
    for (const name of ['../Escape.1.0.0.zip', '..%2FEscape.1.0.0.zip', 'a/../../Escape.1.0.0.zip', 'Escape.1.0.0.zip\\..\\x', 'AUX.1.0.0.zip']) {
      const r = await multipartUpload(rawUrl(lb.url), apiKey, name, new PatternStream(1000, 1));
      assert.equal(r.status, 400, `${name}: ${JSON.stringify(r.body)}`);
    }
    assert.deepEqual(fs.readdirSync(packagesDir()).sort(), before);
    assert.ok(!fs.existsSync(path.join(cluster.sharedRoot, 'packages', 'Escape.1.0.0.zip')));
  });

  it('`shoal package push` uploads through HAProxy, refuses a duplicate, replaces with --replace', async () => {
    const file = path.join(cluster.dir, 'Cli.Tool.5.0.0.zip');
    fs.writeFileSync(file, crypto.randomBytes(5 * MiB));
    const push = (...extra: string[]) => runShoalCli(['package', 'push', file, '--server', lb.url, '--api-key', apiKey, ...extra], {}, 60_000);
    const first = await push();
    assert.equal(first.code, 0, first.stderr);
    const pkg = JSON.parse(first.stdout);
    assert.equal(pkg.hash, await sha256File(file));
    assert.match(first.stderr, /Pushed Cli\.Tool 5\.0\.0/);
    const dup = await push();
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /^shoal: Package Cli\.Tool version 5\.0\.0 already exists in Spaces-1\. Use --replace to replace it\.$/m);
    assert.equal((await push('--replace')).code, 0);
    const bad = await runShoalCli(['package', 'push', path.join(cluster.dir, 'missing.1.0.0.zip'), '--server', lb.url, '--api-key', apiKey]);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    const noKey = await runShoalCli(['package', 'push', file, '--server', lb.url]);
    assert.equal(noKey.code, 2, noKey.stderr);
  });

  it('two nodes given different folders both get the warning (nodes list, ping, integrity check)', async () => {
    const databaseUrl = await cluster.pg.createDatabase('split');
    const env = { SHOAL_DATABASE_URL: databaseUrl, SHOAL_MASTER_KEY: cluster.masterKey };
    // No `shoal storage set`: each node keeps the storage under its own data dir.
    const a = await startShoalProcess({ dataDir: path.join(cluster.dir, 'split-a'), nodeName: 'split-a', env });
    const b = await startShoalProcess({ dataDir: path.join(cluster.dir, 'split-b'), nodeName: 'split-b', env });
    const created = await runShoalCli(['api-key', 'create', '--name', 'split', '--data-dir', path.join(cluster.dir, 'split-cli')], env);
    assert.equal(created.code, 0, created.stderr);
    const split = new ShoalClient(a.url, { apiKey: created.stdout.trim() });
    const nodes = await waitFor(
      async () => {
        const list = await split.get('/api/nodes');
        return list.length === 2 && list.every((n: any) => n.storage && !n.storage.ok) ? list : undefined;
      },
      { timeoutMs: 30_000, message: 'both split nodes to report a storage problem' },
    );
    const ofA = nodes.find((n: any) => n.name === 'split-a').storage.problems.join('\n');
    assert.match(ofA, /taskLogs: .* is not the folder split-b \(no marker\) uses/);
    const ping = await (await fetch(`${b.url}/api/nodes/ping`)).json();
    assert.deepEqual(ping.storage, { ok: false }, 'the anonymous ping says there is a problem, not where');
    assert.ok(!JSON.stringify(ping).includes(path.sep + 'split'), `the ping shows no paths: ${JSON.stringify(ping)}`);
    const task = await split.post('/api/tasks', { kind: 'SystemIntegrityCheck' });
    const done = await waitFor(
      async () => {
        const t = await split.get(`/api/tasks/${task.id}`);
        return ['Success', 'Failed'].includes(t.state) ? t : undefined;
      },
      { timeoutMs: 20_000, message: 'the integrity check to finish' },
    );
    assert.equal(done.state, 'Failed');
    // The log is on the task-logs folder of the node that ran it: these nodes do not share one.
    const ranOn = done.nodeName === 'split-a' ? a : b;
    const log = (await split.at(ranOn.url).request('GET', `/api/tasks/${task.id}/log`)).text;
    assert.match(log, /Shared storage: packages: /);
  });
});
