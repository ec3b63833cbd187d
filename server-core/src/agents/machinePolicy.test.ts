import assert from 'node:assert/strict';
import path from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { migrateToLatest } from '../db/migrations/index.js';
import { openDatabase } from '../db/open.js';
import { readSetting, SETTING, writeSetting } from '../settings/settings.js';
import { makeTempDir, removeTempDirs } from '../testing/tempDir.js';
import { startTestNode } from '../testing/testNode.js';
import { queueDueHealthCheck, writeMachinePolicy } from './machinePolicy.js';

after(removeTempDirs);

let shoal: ShoalDb;
let file = '';
beforeEach(async () => {
  file = path.join(makeTempDir('shoal-policy-'), 'shoal.db');
  shoal = await openDatabase(file);
  await migrateToLatest(shoal);
});

const addTarget = (name: string, disabled = 0) =>
  shoal.db
    .insertInto('targets')
    .values({ space_id: 'Spaces-1', name, name_key: name, mode: 'Polling', environment_ids: '[]', roles: '[]', thumbprint: name.padEnd(64, '0'), status: 'Unknown', status_summary: '', is_disabled: disabled, created_at: 0, updated_at: 0 })
    .execute();
/** Makes the next periodic check due now (as if an interval had passed). */
const makeDue = () => writeSetting(shoal, SETTING.nextHealthCheckAt, '0');
const periodicTasks = async () => (await shoal.db.selectFrom('tasks').select(['kind', 'description']).execute()).filter((t) => t.kind === 'HealthCheck');

describe('machine policy: periodic health checks', () => {
  it('a due check is queued once across the cluster, however many nodes look at the same moment', async () => {
    await addTarget('web-1');
    await makeDue();
    const nodes = [shoal, ...(await Promise.all([1, 2, 3].map(() => openDatabase(file))))];
    try {
      const queued = await Promise.all(nodes.flatMap((n) => [queueDueHealthCheck(n), queueDueHealthCheck(n)]));
      assert.equal(queued.filter(Boolean).length, 1);
      assert.deepEqual(await periodicTasks(), [{ kind: 'HealthCheck', description: 'Periodic health check of every target (machine policy: every 60 min)' }]);
      // The next one is an interval later: nothing more now.
      assert.equal(await queueDueHealthCheck(shoal), undefined);
      const next = Number(await readSetting(shoal, SETTING.nextHealthCheckAt));
      assert.ok(next > Date.now() + 59 * 60_000, `next check at ${new Date(next).toISOString()}`);
    } finally {
      for (const n of nodes.slice(1)) await n.close();
    }
  });

  it('nothing is queued before it is due, with the policy off, or while no target is enabled', async () => {
    assert.equal(await queueDueHealthCheck(shoal), undefined);
    assert.equal(await readSetting(shoal, SETTING.nextHealthCheckAt), undefined, 'a cluster without targets is left untouched');
    await addTarget('web-1');
    assert.equal(await queueDueHealthCheck(shoal), undefined, 'the first check is one interval after the first target');
    assert.ok(Number(await readSetting(shoal, SETTING.nextHealthCheckAt)) > Date.now() + 59 * 60_000);
    assert.equal(await queueDueHealthCheck(shoal), undefined, 'not due yet');

    await writeMachinePolicy(shoal, { healthCheckIntervalMinutes: 0 });
    await makeDue();
    assert.equal(await queueDueHealthCheck(shoal), undefined, 'policy off');

    await writeMachinePolicy(shoal, { healthCheckIntervalMinutes: 5 });
    await shoal.db.updateTable('targets').set({ is_disabled: 1 }).execute();
    await makeDue();
    assert.equal(await queueDueHealthCheck(shoal), undefined, 'only a disabled target');
    assert.deepEqual(await periodicTasks(), []);

    await shoal.db.updateTable('targets').set({ is_disabled: 0 }).execute();
    await makeDue();
    assert.ok(await queueDueHealthCheck(shoal));
    assert.match((await periodicTasks())[0]!.description, /every 5 min/);
  });

  it('the API reads and sets the policy, refuses a bad interval, and only an administrator sets it', async () => {
    const tn = await startTestNode({ nodeName: 'policy-node' });
    try {
      assert.deepEqual((await tn.request({ method: 'GET', url: '/api/configuration/machine-policy' })).json(), { healthCheckIntervalMinutes: 60 });
      const set = await tn.request({ method: 'PUT', url: '/api/configuration/machine-policy', payload: { healthCheckIntervalMinutes: 15 } });
      assert.equal(set.statusCode, 200, set.body);
      assert.deepEqual((await tn.request({ method: 'GET', url: '/api/configuration/machine-policy' })).json(), { healthCheckIntervalMinutes: 15 });
      for (const bad of [{ healthCheckIntervalMinutes: -1 }, { healthCheckIntervalMinutes: 1.5 }, { healthCheckIntervalMinutes: 60, other: 1 }, {}]) {
        const r = await tn.request({ method: 'PUT', url: '/api/configuration/machine-policy', payload: bad });
        assert.equal(r.statusCode, 400, JSON.stringify(bad));
        assert.match(r.json().error.message, /healthCheckIntervalMinutes|other/, r.body);
      }
      assert.equal((await tn.request({ method: 'PUT', url: '/api/configuration/machine-policy', payload: { healthCheckIntervalMinutes: 1 }, anonymous: true })).statusCode, 401);
      assert.deepEqual((await tn.request({ method: 'GET', url: '/api/configuration/machine-policy' })).json(), { healthCheckIntervalMinutes: 15 }, 'nothing changed by refused requests');
    } finally {
      await tn.stop();
    }
  });
});
