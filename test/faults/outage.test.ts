/**
 * PostgreSQL goes away under a three-node cluster with 30 tasks running: stopped for 12 s,
 * for 60 s, and restarted as after a crash. No node exits; pings say 503 while the
 * database is gone and 200 after; every outcome is recorded once it is back (real ones
 * from the outbox), nothing stays Executing, nothing runs twice.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FENCE_AFTER_MS } from '../../server-core/src/queue/leaseTimings.js';
import { teardown } from '../helpers/teardown.js';
import { sleep, waitFor } from '../helpers/waitFor.js';
import { assertAllAlive, assertNothingLostOrDoubled, pingStatus, queueSideEffects, startFaultCluster, waitAllFinal, waitStarted, type FaultCluster } from './faultKit.js';

const CAP = 10;

describe('PostgreSQL outages under a busy cluster', { timeout: 600_000 }, () => {
  let c: FaultCluster;
  before(async () => {
    c = await startFaultCluster(3, CAP);
  });
  after(() => teardown());

  const pings = () => Promise.all(c.nodes.map((n) => pingStatus(n.url)));

  /**
   * 15 short scripts that end during the outage, before the fence (their Success waits in
   * the outbox), 15 long ones the fence kills (Failed), and 6 queued behind them.
   */
  async function outage(seconds: number) {
    const short = await queueSideEffects(c, 15, 2);
    const long = await queueSideEffects(c, 15, 40);
    await waitStarted(c, [...short, ...long], 30);
    const queued = await queueSideEffects(c, 6, 0.2);
    await c.pg.stopServer();
    const stoppedAt = Date.now();
    await sleep(FENCE_AFTER_MS + 2000);
    assert.deepEqual(await pings(), [503, 503, 503], 'every node says it cannot serve');
    assertAllAlive(c.nodes);
    await sleep(Math.max(0, seconds * 1000 - (Date.now() - stoppedAt)));
    assertAllAlive(c.nodes);
    await c.pg.startServer();
    await waitFor(async () => (await pings()).every((s) => s === 200), { timeoutMs: 30_000, intervalMs: 250, message: 'pings did not come back to 200' });
    const tasks = await waitAllFinal(c.client, [...short, ...long, ...queued]);
    assertNothingLostOrDoubled(tasks, c.marks);
    const state = (ids: string[]) => tasks.filter((t) => ids.includes(t.id)).map((t) => t.state);
    assert.deepEqual(state(short), Array(15).fill('Success'), 'outcomes kept in the outbox were recorded');
    assert.deepEqual(state(long), Array(15).fill('Failed'), 'the fence stopped the long scripts');
    for (const t of tasks.filter((x) => long.includes(x.id))) assert.match(t.errorMessage ?? '', /lost (contact with the database|its lease)/);
    assert.deepEqual(state(queued), Array(6).fill('Success'), 'queued work ran after the outage');
    assertAllAlive(c.nodes);
    for (const n of c.nodes) assert.match(n.output(), /heartbeat failed/, `${n.nodeName} logged its failing heartbeats`);
  }

  it('a 12 s outage: nodes fence, stay up, answer 503, and recover by themselves', () => outage(12));

  it('a 60 s outage: the same', () => outage(60));

  it('pg_ctl restart -m immediate under load: every task succeeds once', async () => {
    const ids = await queueSideEffects(c, 12, 1);
    await waitStarted(c, ids, 3);
    await c.pg.restart('immediate');
    const tasks = await waitAllFinal(c.client, ids);
    assertNothingLostOrDoubled(tasks, c.marks);
    assert.deepEqual(tasks.filter((t) => t.state !== 'Success').map((t) => `${t.id} ${t.state} ${t.errorMessage}`), []);
    assertAllAlive(c.nodes);
  });
});
