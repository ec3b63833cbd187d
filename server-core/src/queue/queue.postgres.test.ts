import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import pg from 'pg';
import { migrateToLatest } from '../db/migrations/index.js';
import { openDatabase } from '../db/open.js';
import { heartbeat, registerNode } from '../nodes/registry.js';
import { sleep, waitFor } from '../testing/wait.js';
import { claimTasks } from './claim.js';
import { enqueueTask } from './enqueue.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../testing/throwawayPostgres.js';
import { queueConformance } from '../testing/queueConformance.js';

// A private PostgreSQL server for this file, and a fresh database for every test.
let server: ThrowawayPostgres;
let url = '';
before(async () => {
  server = await startThrowawayPostgres();
});
after(() => server?.destroy());
beforeEach(async () => {
  url = await server.createDatabase();
});

queueConformance('postgres', () => openDatabase(url));

describe('postgres: the lease never waits for a claim', () => {
  it("a node's heartbeat lands while a claim of the same node is held up", async () => {
    const shoal = await openDatabase(url);
    const blocker = new pg.Client({ connectionString: url });
    try {
      await migrateToLatest(shoal);
      await registerNode(shoal, { name: 'n1', nodeId: 'n1', version: 'v', url: 'u', taskCap: 2 });
      await enqueueTask(shoal, { kind: 'Test', description: 'waits', arguments: {} });
      // Hold the claim up where it reads the settings (whatever it has locked by then).
      await blocker.connect();
      await blocker.query('begin');
      await blocker.query('lock table settings in access exclusive mode');
      const claim = claimTasks(shoal, { nodeName: 'n1', nodeId: 'n1', token: 'held' });
      await waitFor(async () => (await blocker.query(`select count(*)::int as n from pg_locks where not granted and relation = 'settings'::regclass`)).rows[0].n > 0, 'the claim to wait on the settings');
      const beat = heartbeat(shoal, 'n1', 'n1');
      const landed = await Promise.race([beat, sleep(5000).then(() => 'still waiting')]);
      await blocker.query('commit');
      assert.equal(landed, true, 'the heartbeat must not wait for the claim');
      assert.equal((await claim).length, 1);
      await beat;
    } finally {
      await blocker.end().catch(() => {});
      await shoal.close();
    }
  });
});
