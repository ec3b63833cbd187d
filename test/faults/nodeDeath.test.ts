/**
 * A node frozen (SIGSTOP) past its lease, and a node killed (SIGKILL), while their scripts
 * run: the scripts die with the node's lease or with the node itself, the cluster ends
 * their tasks, and no side effect happens after that or twice.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FENCE_AFTER_MS } from '../../server-core/src/queue/leaseTimings.js';
import { processRuns } from '../../server-core/src/testing/processes.js';
import { teardown } from '../helpers/teardown.js';
import { sleep, waitFor } from '../helpers/waitFor.js';
import { assertAllAlive, assertNothingLostOrDoubled, livePids, queueSideEffects, readMarks, startFaultCluster, waitAllFinal, waitStarted, type FaultCluster } from './faultKit.js';

describe('a node frozen or killed while its scripts run', { timeout: 300_000 }, () => {
  let c: FaultCluster;
  before(async () => {
    c = await startFaultCluster(3, 3);
  });
  after(() => teardown());

  /** Queues work until `victim` runs some of it; returns all ids and the victim's marks. */
  async function busy(victim: string) {
    const ids = await queueSideEffects(c, 9, 8);
    await waitStarted(c, ids, 9);
    const onVictim = new Map([...readMarks(c.marks)].filter(([id, m]) => ids.includes(id) && m.nodes.includes(victim)));
    assert.ok(onVictim.size > 0, `${victim} runs none of the tasks`);
    return { ids, onVictim };
  }

  it('SIGSTOP for 40 s: its scripts die with its lease; on waking it fences first, its stale results are refused', async () => {
    const victim = c.nodes[1]!;
    const { ids, onVictim } = await busy(victim.nodeName);
    victim.child.kill('SIGSTOP');
    const frozenAt = Date.now();
    try {
      await waitFor(() => livePids(onVictim).length === 0, { timeoutMs: FENCE_AFTER_MS + 2000, intervalMs: 50, message: 'the frozen node\'s scripts still run' });
      await sleep(40_000 - (Date.now() - frozenAt));
    } finally {
      victim.child.kill('SIGCONT');
    }
    const tasks = await waitAllFinal(c.client, ids);
    assertNothingLostOrDoubled(tasks, c.marks);
    for (const id of onVictim.keys()) {
      const t = tasks.find((x) => x.id === id)!;
      assert.equal(t.state, 'Failed', `${id} ran on the frozen node`);
      assert.match(t.errorMessage ?? '', new RegExp(`${victim.nodeName} went offline`));
    }
    await waitFor(() => /stale outcome refused/.test(victim.output()), { timeoutMs: 15_000, message: `${victim.nodeName} did not refuse its stale results:\n${victim.output()}` });
    const out = victim.output();
    assert.ok(out.indexOf('FENCED') >= 0 && out.indexOf('FENCED') < out.indexOf('stale outcome refused'), 'it fenced before anything else');
    await waitFor(async () => (await c.client.get(`/api/nodes/${victim.nodeName}`)).status === 'Running', { timeoutMs: 15_000, message: 'the thawed node did not come back' });
    assertAllAlive(c.nodes);
  });

  it('kill -9: within 2 s of the death its scripts are gone, and their side effects never happen', async () => {
    const victim = c.nodes[2]!;
    const { ids, onVictim } = await busy(victim.nodeName);
    victim.child.kill('SIGKILL');
    const diedAt = Date.now();
    await waitFor(() => livePids(onVictim).length === 0, { timeoutMs: 2000, intervalMs: 20, message: 'scripts outlived their node by more than 2 s' });
    const tasks = await waitAllFinal(c.client, ids);
    assertNothingLostOrDoubled(tasks, c.marks);
    const marks = readMarks(c.marks);
    for (const id of onVictim.keys()) {
      assert.equal(tasks.find((t) => t.id === id)!.state, 'Failed');
      assert.deepEqual(marks.get(id)!.ends.filter((e) => e > diedAt), [], `${id} did its side effect after its node died`);
    }
    assert.ok([...onVictim.values()].flatMap((m) => m.pids).every((p) => !processRuns(p)));
  });
});
