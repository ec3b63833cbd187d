import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { openDatabase } from '../../server-core/src/db/open.js';
import { migrateToLatest } from '../../server-core/src/db/migrations/index.js';
import { tableDigest } from '../../server-core/src/migration/copyTables.js';
import { shoalTables } from '../../server-core/src/migration/tables.js';
import { decryptValue, encryptValue, parseMasterKey } from '../../server-core/src/secrets/masterKey.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../../server-core/src/testing/throwawayPostgres.js';
import { ShoalClient } from '../helpers/apiClient.js';
import { runShoalCli } from '../helpers/cli.js';
import { REPO_ROOT, SHOAL_BIN } from '../helpers/repo.js';
import { startShoalProcess, type ShoalProcess } from '../helpers/shoalProcess.js';
import { queueScript, waitForTaskState } from '../helpers/tasks.js';
import { onTeardown, teardown, trackChild } from '../helpers/teardown.js';
import { tempDir } from '../helpers/tempDir.js';

const SECRET_KEY = 'secret.deploymentPassword';
const SECRET = 'correct horse battery staple';
const EXTRA_EVENTS = 30_000;

/**
 * The content of every Shoal table: rows and an order-independent digest. The cluster's
 * storage paths are settings the migration adds on purpose, so they are left out.
 */
async function contentOf(url: string) {
  const shoal = await openDatabase(url);
  try {
    const out: Record<string, unknown> = {};
    for (const t of await shoalTables(shoal.db as Kysely<any>)) {
      out[t.name] =
        t.name === 'settings'
          ? await shoal.db.selectFrom('settings').select(['key', 'value', 'updated_at']).where('key', 'not like', 'storage.%').orderBy('key').execute()
          : await tableDigest(shoal, t);
    }
    return out;
  } finally {
    await shoal.close();
  }
}

/** The data files under a storage folder (not the nodes' own `.shoal-nodes` markers). */
const listing = (root: string): string[] =>
  fs.existsSync(root)
    ? (fs.readdirSync(root, { recursive: true, withFileTypes: true }) as fs.Dirent[])
        .filter((e) => e.isFile())
        .map((e) => path.relative(root, path.join(e.parentPath ?? e.path, e.name)))
        .filter((f) => !f.startsWith('.shoal-'))
        .sort()
    : [];

describe('from standalone to HA: shoal migrate, show-master-key and node join', { timeout: 300_000 }, () => {
  let pg: ThrowawayPostgres;
  let dir: string;
  let dataDir: string;
  let shared: string;
  let targetUrl: string;
  let sourceDb: string;
  let apiKey: string;
  let sessionCookie: string;
  let taskIds: string[];
  let logsBefore: Map<string, string>;
  let packageBytes: Buffer;

  const migrateArgs = (to: string) => ['migrate', '--to', to, '--cluster-shared', shared, '--data-dir', dataDir];

  before(async () => {
    dir = tempDir('shoal-migration-');
    dataDir = path.join(dir, 'standalone');
    shared = path.join(dir, 'shared');
    fs.mkdirSync(shared);
    sourceDb = path.join(dataDir, 'shoal.db');
    pg = await startThrowawayPostgres();
    onTeardown(() => pg.destroy());
    targetUrl = await pg.createDatabase('cluster');

    // A standalone install with real data: users, an API key, tasks with logs and artifacts, a package.
    const node = await startShoalProcess({ dataDir, nodeName: 'desk', taskCap: 3 });
    const admin = await ShoalClient.login(node.url, 'admin', node.adminPassword);
    sessionCookie = (admin.auth as { cookie: string }).cookie;
    await admin.call('POST', '/api/users', { username: 'viewer', password: 'viewer-password-1' }, 201);
    apiKey = (await admin.call<{ apiKey: string }>('POST', '/api/users/me/apikeys', { name: 'build-server' }, 201)).apiKey;
    taskIds = [];
    for (let i = 0; i < 12; i++) {
      // The first runs past its log's first flush, so its log is a file; a short task's may be kept in the database.
      const wait = i === 0 ? 'sleep 0.5; ' : '';
      taskIds.push((await queueScript(admin, `${wait}echo "log line of task ${i}"; echo "artifact ${i}" > "$SHOAL_ARTIFACTS_DIR/out-${i}.txt"`)).id);
    }
    for (const id of taskIds) await waitForTaskState(admin, id, ['Success']);
    packageBytes = Buffer.from('PK\u0003\u0004 a small package for the migration test '.repeat(200));
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(packageBytes)]), 'Acme.Web.1.2.3.zip');
    const up = await fetch(`${node.url}/api/Spaces-1/packages/raw`, { method: 'POST', headers: admin.headers(), body: form });
    assert.equal(up.status, 201, await up.text());
    logsBefore = new Map();
    for (const id of taskIds) logsBefore.set(id, (await admin.request('GET', `/api/tasks/${id}/log`)).text);
    assert.equal((await node.stop('SIGTERM')).code, 0);

    // Bulk rows (so a migration can be interrupted half-way) and a value sealed with the master key.
    const key = parseMasterKey(fs.readFileSync(path.join(dataDir, 'master.key'), 'utf8'));
    const db = new Database(sourceDb);
    const insert = db.prepare('insert into events (occurred, username, action, target, details, client_ip) values (?, ?, ?, ?, ?, ?)');
    db.transaction(() => {
      for (let i = 0; i < EXTRA_EVENTS; i++) insert.run(1_700_000_000_000 + i, 'admin', 'test.bulk', `Target-${i}`, JSON.stringify({ i }), '127.0.0.1');
    })();
    db.prepare('insert into settings (key, value, updated_at) values (?, ?, ?)').run(SECRET_KEY, encryptValue(key, SECRET), Date.now());
    db.close();
  });
  after(() => teardown());

  it('refuses while the standalone node is running, changing nothing', async () => {
    const node = await startShoalProcess({ dataDir, nodeName: 'desk', taskCap: 3 });
    const r = await runShoalCli(migrateArgs(targetUrl));
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /node desk is running/);
    await node.stop('SIGTERM');
    assert.deepEqual(listing(shared), []);
  });

  it('--dry-run prints the plan and changes nothing', async () => {
    const before = await contentOf(sourceDb);
    const r = await runShoalCli([...migrateArgs(targetUrl), '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    const events = Number(/events\s+(\d+)/.exec(r.stdout)?.[1]);
    assert.ok(events > EXTRA_EVENTS, `plan counts ${events} events: the bulk ones and the setup's audit events`);
    assert.match(r.stdout, /tasks\s+12/);
    const logFiles = listing(path.join(dataDir, 'storage', 'task-logs')).length;
    assert.ok(logFiles >= 1, 'the long task has a log file');
    assert.match(r.stdout, new RegExp(`taskLogs\\s+${logFiles} `));
    assert.match(r.stdout, /Dry run: nothing was changed/);
    const target = await openDatabase(targetUrl);
    assert.deepEqual(await target.db.introspection.getTables(), []);
    await target.close();
    assert.deepEqual(listing(shared), []);
    assert.ok(!fs.existsSync(path.join(dataDir, 'shoal.config.json')));
    assert.deepEqual(await contentOf(sourceDb), before);
  });

  it('refuses a target that holds another install, changing nothing', async () => {
    const otherUrl = await pg.createDatabase('other');
    const other = await openDatabase(otherUrl);
    await migrateToLatest(other);
    await other.db.insertInto('users').values({ username: 'someone', password_hash: 'x', is_admin: 0, created_at: 1 }).execute();
    await other.close();
    const r = await runShoalCli(migrateArgs(otherUrl));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /not empty and holds data of another Shoal install/);
    assert.equal(r.stderr.trim().split('\n').filter((l) => l.startsWith('shoal:')).length, 1);
    assert.deepEqual(listing(shared), []);
  });

  it('survives SIGKILL half-way: running it again completes with every row and file once', async () => {
    const child = spawn(process.execPath, [SHOAL_BIN, ...migrateArgs(targetUrl)], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(child);
    let err = '';
    const killed = new Promise<void>((resolve) => {
      child.stderr.on('data', (d) => {
        err += d;
        // The tasks are copied; the 30,000 events are next: kill it in the middle of the copy.
        if (/table tasks: \d+ rows done/.test(err) && child.exitCode === null) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.once('exit', () => resolve());
    });
    await killed;
    await new Promise((r) => child.once('exit', r));
    assert.equal(child.signalCode, 'SIGKILL', `the migration ended before it could be interrupted:\n${err}`);
    const partial = (await contentOf(targetUrl)) as { events?: { rows: number } };
    assert.ok((partial.events?.rows ?? 0) < EXTRA_EVENTS, 'the kill landed before all events were copied');
    assert.ok(!fs.existsSync(path.join(dataDir, 'shoal.config.json')), 'the source data dir is untouched until the last step');

    const r = await runShoalCli(migrateArgs(targetUrl), {}, 180_000);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /resuming an earlier run/);
    assert.match(r.stdout, /Verified: row counts and content checksums/);
    assert.deepEqual(await contentOf(targetUrl), await contentOf(sourceDb), 'every table identical, no duplicates');
    for (const kind of ['task-logs', 'artifacts', 'packages']) {
      const from = listing(path.join(dataDir, 'storage', kind));
      assert.ok(from.length > 0, `${kind} had files`);
      assert.deepEqual(listing(path.join(shared, kind)), from, `${kind} copied`);
      for (const f of from) assert.ok(fs.readFileSync(path.join(shared, kind, f)).equals(fs.readFileSync(path.join(dataDir, 'storage', kind, f))), f);
    }
    const config = JSON.parse(fs.readFileSync(path.join(dataDir, 'shoal.config.json'), 'utf8'));
    assert.equal(config.databaseUrl, targetUrl);
  });

  describe('after the migration', () => {
    let node1: ShoalProcess;
    let node2: ShoalProcess;

    it('show-master-key prints the key last; a wrong key is refused on join and nothing is written', async () => {
      const shown = await runShoalCli(['show-master-key', '--data-dir', dataDir]);
      assert.equal(shown.code, 0);
      assert.match(shown.stderr, /keep it secret/i);
      const key = shown.stdout.trim().split('\n').at(-1)!;
      assert.equal(key, fs.readFileSync(path.join(dataDir, 'master.key'), 'utf8').trim());
      const wrong = Buffer.alloc(32, 7).toString('base64');
      const join2 = path.join(dir, 'node2');
      const r = await runShoalCli(['node', 'join', '--database', targetUrl, '--master-key', wrong, '--node-name', 'node2', '--data-dir', join2]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /master key does not match/);
      assert.ok(!fs.existsSync(path.join(join2, 'shoal.config.json')));
      const ok = await runShoalCli(['node', 'join', '--database', targetUrl, '--master-key', key, '--node-name', 'node2', '--data-dir', join2]);
      assert.equal(ok.code, 0, ok.stderr);
    });

    it('the migrated node and a joined node serve every task log, artifact, package and key made before', async () => {
      node1 = await startShoalProcess({ dataDir, nodeName: 'desk' });
      node2 = await startShoalProcess({ dataDir: path.join(dir, 'node2'), nodeName: 'node2' });
      for (const n of [node1, node2]) {
        const byKey = new ShoalClient(n.url, { apiKey });
        const bySession = new ShoalClient(n.url, { cookie: sessionCookie });
        assert.equal((await bySession.request('GET', '/api/users/me')).status, 200, 'a session from before the migration');
        for (const id of taskIds) assert.equal((await byKey.request('GET', `/api/tasks/${id}/log`)).text, logsBefore.get(id), `${id} log on ${n.nodeName}`);
        const versions = await byKey.call<{ items?: { version: string }[] } | { version: string }[]>('GET', '/api/Spaces-1/packages/Acme.Web/versions');
        const list = Array.isArray(versions) ? versions : versions.items ?? [];
        assert.deepEqual(list.map((v) => v.version), ['1.2.3']);
        const dl = await fetch(`${n.url}/api/Spaces-1/packages/Acme.Web/versions/1.2.3/raw`, { headers: byKey.headers() });
        assert.equal(dl.status, 200);
        assert.ok(Buffer.from(await dl.arrayBuffer()).equals(packageBytes), `package download on ${n.nodeName}`);
      }
      const nodes = await new ShoalClient(node2.url, { apiKey }).call<{ name: string; status: string }[]>('GET', '/api/nodes');
      assert.deepEqual(nodes.filter((n) => n.status === 'Running').map((n) => n.name).sort(), ['desk', 'node2']);
    });

    it('the sensitive value decrypts on the cluster database with the shown master key', async () => {
      const shoal = await openDatabase(targetUrl);
      const row = await shoal.db.selectFrom('settings').select('value').where('key', '=', SECRET_KEY).executeTakeFirstOrThrow();
      await shoal.close();
      const key = parseMasterKey((await runShoalCli(['show-master-key', '--data-dir', dataDir])).stdout.trim());
      assert.equal(decryptValue(key, row.value), SECRET);
    });

    it('new work runs on the cluster', async () => {
      const client = new ShoalClient(node2.url, { apiKey });
      const t = await queueScript(client, 'echo after the move');
      const done = await waitForTaskState(client, t.id, ['Success']);
      assert.ok(['desk', 'node2'].includes(done.nodeName ?? ''));
      assert.ok(Number(t.id.split('-')[1]) > 12, 'ids continue after the migrated ones');
    });
  });
});
