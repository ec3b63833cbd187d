import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../db/open.js';
import { errorBody, startTestNode, type TestNode } from '../testing/testNode.js';
import { makeTempDir, removeTempDirs } from '../testing/tempDir.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../testing/throwawayPostgres.js';
import { waitFor } from '../testing/wait.js';

describe('portal migration API (Move to high availability)', () => {
  let pg: ThrowawayPostgres;
  let t: TestNode;
  let targetUrl: string;
  let storageRoot: string;

  before(async () => {
    pg = await startThrowawayPostgres();
    targetUrl = await pg.createDatabase();
    storageRoot = makeTempDir('shoal-ha-storage-');
    // A fast heartbeat rewrites the node's row while its database is copied, as a live node does.
    t = await startTestNode({ nodeName: 'desk', heartbeatMs: 50 });
  });
  after(async () => {
    await t?.stop();
    await pg?.destroy();
    removeTempDirs();
  });

  const post = (url: string, payload: unknown) => t.request({ method: 'POST', url, payload: payload as object });

  it('validates the target and the storage root', async () => {
    let res = await post('/api/migration/plan', { targetUrl: '/tmp/x.db', storageRoot });
    assert.equal(res.statusCode, 400);
    assert.match(errorBody(res).message, /postgres/);
    res = await post('/api/migration/plan', { targetUrl, storageRoot: 'relative/path' });
    assert.equal(res.statusCode, 400);
    res = await post('/api/migration/plan', { targetUrl, storageRoot, extra: 1 });
    assert.equal(res.statusCode, 400);
    assert.match(errorBody(res).message, /extra/);
  });

  it('refuses while the node is not drained, with the reason', async () => {
    const res = await post('/api/migration/plan', { targetUrl, storageRoot });
    assert.equal(res.statusCode, 409);
    assert.match(errorBody(res).message, /node desk is running/);
  });

  it('plans and migrates a drained node, then gives the join command', async () => {
    assert.equal((await t.request({ method: 'PATCH', url: '/api/nodes/desk', payload: { drain: true } })).statusCode, 200);
    const plan = await post('/api/migration/plan', { targetUrl, storageRoot });
    assert.equal(plan.statusCode, 200, plan.body);
    const tables = (plan.json() as { tables: { name: string; rows: number }[] }).tables;
    assert.ok(tables.find((x) => x.name === 'users')!.rows >= 1);
    const started = await post('/api/migration/start', { targetUrl, storageRoot });
    assert.equal(started.statusCode, 202, started.body);
    const done = await waitFor(
      async () => {
        const s = (await t.request({ method: 'GET', url: '/api/migration' })).json() as { state: string; error: string | null; result: { joinCommand: string } | null };
        return s.state === 'running' ? undefined : s;
      },
      'the migration to finish',
      { timeoutMs: 30_000 },
    );
    assert.equal(done.state, 'succeeded', done.error ?? '');
    const key = fs.readFileSync(path.join(t.dataDir, 'master.key'), 'utf8').trim();
    assert.ok(done.result!.joinCommand.includes(`--master-key '${key}'`));
    assert.ok(done.result!.joinCommand.includes(targetUrl));
    const config = JSON.parse(fs.readFileSync(path.join(t.dataDir, 'shoal.config.json'), 'utf8'));
    assert.equal(config.databaseUrl, targetUrl);
    const target = await openDatabase(targetUrl);
    const users = await target.db.selectFrom('users').select('username').execute();
    const nodes = await target.db.selectFrom('nodes').select(['name', 'drain']).execute();
    const events = await target.db.selectFrom('events').select('action').where('action', '=', 'migration.start').execute();
    await target.close();
    assert.deepEqual(users.map((u) => u.username), ['admin']);
    assert.deepEqual(nodes, [{ name: 'desk', drain: 0 }], 'node 1 takes work on the cluster');
    assert.equal(events.length, 1, 'the audit event of the start was copied');
  });

  it('needs an administrator', async () => {
    const res = await t.request({ method: 'GET', url: '/api/migration', anonymous: true });
    assert.equal(res.statusCode, 401);
  });
});
