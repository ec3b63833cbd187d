/**
 * A due time fires once, whichever node gets there: several nodes racing on PostgreSQL, a
 * trigger missed while every node was down, a run skipped while the previous one waits.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../db/open.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { removeTempDirs } from '../testing/tempDir.js';
import { startTestNode, type TestNode } from '../testing/testNode.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../testing/throwawayPostgres.js';
import { fireDueTriggers } from './fireDueTriggers.js';
import { nextDue, schedule } from './schedule.js';

after(removeTempDirs);

describe('trigger schedules', () => {
  it('take five fields, or six with seconds, in a time zone', () => {
    const t0 = Date.UTC(2030, 0, 1, 10, 0, 3);
    assert.equal(nextDue('*/10 * * * * *', 'UTC', t0), Date.UTC(2030, 0, 1, 10, 0, 10));
    assert.equal(nextDue('30 9 * * *', 'Europe/Paris', t0), Date.UTC(2030, 0, 2, 8, 30, 0));
    assert.throws(() => schedule('* * *', 'UTC'), /cron: .* 3 fields/);
    assert.throws(() => schedule('* * * * *', 'Mars/Olympus'), /timeZone/);
    assert.throws(() => schedule('99 * * * *', 'UTC'), /cron/);
  });
});

describe('firing due triggers on PostgreSQL, from three nodes at once', { timeout: 120_000 }, () => {
  let pg: ThrowawayPostgres;
  let tn: TestNode;
  const others: ShoalDb[] = [];
  let triggerKey: number;
  const SPACE = '/api/Spaces-1';

  before(async () => {
    pg = await startThrowawayPostgres();
    const url = await pg.createDatabase();
    // Task cap 0: runs stay queued, so the skip rule can be seen.
    tn = await startTestNode({ nodeName: 'trigger-a', taskCap: 0, configure: (c) => (c.databaseUrl = url) });
    for (let i = 0; i < 2; i++) others.push(await openDatabase(url));
    const call = async (method: 'POST' | 'PUT', url: string, payload: object) => {
      const res = await tn.request({ method, url, payload });
      assert.ok(res.statusCode < 300, `${method} ${url}: ${res.body}`);
      return JSON.parse(res.body);
    };
    const env = await call('POST', `${SPACE}/environments`, { name: 'Ops' });
    const project = await call('POST', `${SPACE}/projects`, { name: 'Maintenance' });
    const runbook = await call('POST', `${SPACE}/projects/${project.id}/runbooks`, { name: 'Clean up' });
    await call('PUT', `${SPACE}/projects/${project.id}/runbooks/${runbook.id}/process`, { steps: [{ name: 'Clean', action: 'RunScript', properties: { script: 'echo clean' } }] });
    await call('POST', `${SPACE}/projects/${project.id}/runbooks/${runbook.id}/publish`, {});
    const trigger = await call('POST', `${SPACE}/projects/${project.id}/triggers`, { name: 'Yearly', runbookId: runbook.id, cron: '0 0 1 1 *', environmentIds: [env.id] });
    triggerKey = Number(trigger.id.split('-')[1]);
  });
  after(async () => {
    for (const o of others) await o.close();
    await tn.stop();
    await pg.destroy();
  });

  const missedHoursAgo = async (hours: number) => {
    const due = Date.now() - hours * 3600_000;
    await tn.node.shoal.db.updateTable('triggers').set({ next_due_at: due }).where('id', '=', triggerKey).execute();
    return due;
  };
  const firings = () => tn.node.shoal.db.selectFrom('trigger_firings').selectAll().where('trigger_id', '=', triggerKey).orderBy('id').execute();
  /**
   * Three connections fire due triggers, twice each, at once. The test node's own scheduler
   * (once a second) may get there first, so what counts is what the database recorded for
   * the due time: by the time the racers are done, whoever won has committed.
   */
  const race = async (due: number) => {
    await Promise.all([tn.node.shoal, ...others, tn.node.shoal, ...others].map((db, i) => fireDueTriggers(db, `node-${i % 3}`)));
    return (await firings()).filter((f) => Number(f.due_at) === due);
  };

  it('a trigger missed for hours fires once, for its oldest due time, and moves past now', async () => {
    const due = await missedHoursAgo(5);
    const fired = await race(due);
    assert.equal(fired.length, 1, JSON.stringify(fired));
    assert.equal(fired[0]!.outcome, 'Queued');
    const rows = await firings();
    assert.equal(rows.length, 1, 'only the oldest missed time fired');
    const t = await tn.node.shoal.db.selectFrom('triggers').select('next_due_at').where('id', '=', triggerKey).executeTakeFirstOrThrow();
    assert.ok(Number(t.next_due_at) > Date.now(), 'the next due time is in the future');
    const runs = await tn.node.shoal.db.selectFrom('runbook_runs').select('task_id').where('trigger_id', '=', triggerKey).execute();
    assert.equal(runs.length, 1);
  });

  it('skips, and says so, while the previous run of the trigger is still queued', async () => {
    const fired = await race(await missedHoursAgo(1));
    assert.equal(fired.length, 1, JSON.stringify(fired));
    assert.equal(fired[0]!.outcome, 'Skipped');
    assert.match(fired[0]!.message, /previous run \(ServerTasks-\d+\) is still Queued/);
    const runs = await tn.node.shoal.db.selectFrom('runbook_runs').select('task_id').where('trigger_id', '=', triggerKey).execute();
    assert.equal(runs.length, 1, 'no second run queued');
    const shown = JSON.parse((await tn.request({ method: 'GET', url: `${SPACE}/projects/Projects-1/triggers/ProjectTriggers-${triggerKey}` })).body);
    assert.equal(shown.recentFirings[0].outcome, 'Skipped');
  });

  it('fires again once the previous run ended', async () => {
    await tn.node.shoal.db.updateTable('tasks').set({ state: 'Canceled' }).where('state', '=', 'Queued').execute();
    const fired = await race(await missedHoursAgo(0.5));
    assert.deepEqual(fired.map((f) => f.outcome), ['Queued']);
    assert.equal((await firings()).length, 3);
  });
});
