import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { resolveNodeConfig, type NodeConfig } from '../config/nodeConfig.js';
import { startNode } from '../node.js';
import { makeTempDir, removeTempDirs } from '../testing/tempDir.js';
import { testLogger } from '../testing/testNode.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../testing/throwawayPostgres.js';
import { waitFor } from '../testing/wait.js';

/**
 * A node beats from the moment it registers, not once its whole start is done: here the start
 * is held on a lock (another session holds the tasks table while the node ends its earlier run's
 * tasks), and the node's row keeps being seen meanwhile, so its lease does not run out.
 */
describe('heartbeats during a slow start', () => {
  let pgServer: ThrowawayPostgres;
  let config: NodeConfig;
  let db: pg.Client;
  before(async () => {
    pgServer = await startThrowawayPostgres();
    config = { ...resolveNodeConfig({ dataDir: makeTempDir('shoal-slow-start-'), port: 0, nodeName: 'slow' }, {}), databaseUrl: await pgServer.createDatabase() };
    config.masterKey = crypto.randomBytes(32).toString('base64');
    // A first start makes the schema; the second is the slow one.
    await (await startNode({ config, logger: testLogger(), adminPassword: 'pw-for-tests', heartbeatMs: 100 })).stop();
    db = new pg.Client({ connectionString: config.databaseUrl });
    await db.connect();
  });
  after(async () => {
    await db?.end();
    await pgServer?.destroy();
    removeTempDirs();
  });

  it("keeps the node's row seen while the start waits on the database", async () => {
    const seen = async () => (await db.query<{ last_seen: string; started_at: string }>("SELECT last_seen, started_at FROM nodes WHERE name = 'slow'")).rows[0]!;
    const before = await seen();
    await db.query('BEGIN');
    await db.query('LOCK TABLE tasks IN ACCESS EXCLUSIVE MODE');
    let started = false;
    const starting = startNode({ config, logger: testLogger(), adminPassword: 'pw-for-tests', heartbeatMs: 100 }).then((n) => {
      started = true;
      return n;
    });
    let registered: { last_seen: string } | undefined;
    let later: { last_seen: string } | undefined;
    let heldThrough = false;
    try {
      registered = await waitFor(async () => {
        const r = await seen();
        return r.started_at !== before.started_at ? r : undefined;
      }, { timeoutMs: 30_000, message: 'the node did not register' });
      await new Promise((r) => setTimeout(r, 1500));
      later = await seen();
      heldThrough = !started;
    } finally {
      await db.query('COMMIT');
      await (await starting).stop();
    }
    assert.ok(heldThrough, 'the start was held on the lock all along');
    const ms = Number(later!.last_seen) - Number(registered!.last_seen);
    assert.ok(ms >= 1000, `last seen ${ms} ms after registering, 1.5 s into a held start`);
  });
});
