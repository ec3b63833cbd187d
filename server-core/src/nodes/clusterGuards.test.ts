import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { resolveNodeConfig } from '../config/nodeConfig.js';
import { migrateToLatest } from '../db/migrations/index.js';
import { openDatabase } from '../db/open.js';
import { startNode } from '../node.js';
import { claimTasks } from '../queue/claim.js';
import { enqueueTask } from '../queue/enqueue.js';
import { makeTempDir, removeTempDirs } from '../testing/tempDir.js';
import { startTestNode, testLogger } from '../testing/testNode.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../testing/throwawayPostgres.js';
import { SHOAL_VERSION } from '../version.js';
import { upgradeSchemaSafely } from './clusterVersion.js';
import { heartbeat, registerNode } from './registry.js';

const key = () => crypto.randomBytes(32).toString('base64');

describe('cluster guards on a shared PostgreSQL: versions and the master key', () => {
  let pg: ThrowawayPostgres;
  let url: string;
  const stops: (() => Promise<void>)[] = [];
  const config = (name: string, masterKey: string) => ({
    ...resolveNodeConfig({ dataDir: makeTempDir('shoal-guard-'), port: 0, nodeName: name }, {}),
    databaseUrl: url,
    masterKey,
  });

  before(async () => {
    pg = await startThrowawayPostgres();
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });
  after(async () => {
    await pg?.destroy();
    removeTempDirs();
  });

  it('a node whose master key does not match the cluster refuses to start', async () => {
    url = await pg.createDatabase();
    const clusterKey = key();
    const first = await startNode({ config: config('one', clusterKey), logger: testLogger(), adminPassword: 'pw-for-tests' });
    stops.push(() => first.stop());
    await assert.rejects(startNode({ config: config('two', key()), logger: testLogger() }), /master key does not match/);
    const second = await startNode({ config: config('two', clusterKey), logger: testLogger() });
    stops.push(() => second.stop());
  });

  it('a node of another version shows VersionMismatch and claims no task', async () => {
    url = await pg.createDatabase();
    const node = await startNode({ config: config('current', key()), logger: testLogger(), adminPassword: 'pw-for-tests' });
    stops.push(() => node.stop());
    await registerNode(node.shoal, { name: 'old', nodeId: 'old', version: '0.0.1', url: 'http://old', taskCap: 5 });
    await heartbeat(node.shoal, 'old', 'old');
    const ping = (await node.app.inject({ method: 'GET', url: '/api/nodes/ping' })).json() as { version: string };
    assert.equal(ping.version, SHOAL_VERSION);
    const list = (await nodesAsAdmin(node)) as { name: string; status: string }[];
    assert.equal(list.find((n) => n.name === 'old')!.status, 'VersionMismatch');
    assert.equal(list.find((n) => n.name === 'current')!.status, 'Running');
    // The claim itself refuses: the statement compares the node's version with the cluster's.
    await node.shoal.db.updateTable('nodes').set({ task_cap: 0 }).where('name', '=', 'current').execute();
    await enqueueTask(node.shoal, { kind: 'SystemIntegrityCheck', description: 'x', arguments: {} });
    assert.deepEqual(await claimTasks(node.shoal, { nodeName: 'old', nodeId: 'old', token: 'token' }), []);
  });

  it('a schema upgrade refuses while nodes of another version are online; a newer schema refuses older code', async () => {
    url = await pg.createDatabase();
    const shoal = await openDatabase(url);
    try {
      await migrateToLatest(shoal);
      await registerNode(shoal, { name: 'other', nodeId: 'other', version: '0.0.1', url: 'http://other', taskCap: 5 });
      // Pretend this code brings a migration the database has not seen yet.
      await sql`delete from kysely_migration where name = (select max(name) from kysely_migration)`.execute(shoal.db);
      await assert.rejects(upgradeSchemaSafely(shoal, 'me', SHOAL_VERSION), /nodes of another version are online: other \(0\.0\.1\)/);
      await shoal.db.updateTable('nodes').set({ stopped_at: 1 }).execute();
      await sql`insert into kysely_migration (name, timestamp) values ('9999_from_the_future', 'now')`.execute(shoal.db);
      await assert.rejects(upgradeSchemaSafely(shoal, 'me', SHOAL_VERSION), /newer than this version of Shoal/);
    } finally {
      await shoal.close();
    }
  });

  /** GET /api/nodes as the administrator, through the node's own app. */
  async function nodesAsAdmin(node: Awaited<ReturnType<typeof startNode>>) {
    const login = await node.app.inject({ method: 'POST', url: '/api/users/login', payload: { username: 'admin', password: 'pw-for-tests' } });
    assert.equal(login.statusCode, 200, login.body);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    return (await node.app.inject({ method: 'GET', url: '/api/nodes', headers: { cookie } })).json();
  }
});

describe('trusted proxies', () => {
  after(removeTempDirs);

  it('audit events take the client address from X-Forwarded-For only through a trusted proxy', async () => {
    const t = await startTestNode({ configure: (c) => (c.trustedProxies = ['10.0.0.0/8']) });
    try {
      const change = (remoteAddress: string) =>
        t.request({
          method: 'PATCH',
          url: '/api/nodes/test-node',
          payload: { taskCap: 4 },
          remoteAddress,
          headers: { 'x-forwarded-for': '198.51.100.9, 203.0.113.7, 10.0.0.9' },
        });
      assert.equal((await change('10.1.2.3')).statusCode, 200);
      assert.equal((await change('192.0.2.50')).statusCode, 200);
      const events = (await t.request({ method: 'GET', url: '/api/events?take=5' })).json() as { items: { action: string; clientIp: string }[] };
      const ips = events.items.filter((e) => e.action === 'node.update').map((e) => e.clientIp);
      // Newest first: the untrusted peer itself, then the rightmost untrusted address behind the trusted proxy.
      assert.deepEqual(ips, ['192.0.2.50', '203.0.113.7']);
    } finally {
      await t.stop();
    }
  });
});
