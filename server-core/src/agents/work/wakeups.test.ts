import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ShoalDb } from '../../db/dialects/dialect.js';
import { openDatabase } from '../../db/open.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../../testing/throwawayPostgres.js';
import { sleep, waitFor } from '../../testing/wait.js';
import { localAgentWork } from './enqueue.js';
import { AGENT_WORK_CHANNEL } from './timings.js';
import { AgentWorkWakeups } from './wakeups.js';

describe('agent work wake-ups on PostgreSQL', () => {
  let server: ThrowawayPostgres;
  let here: ShoalDb;
  let other: ShoalDb;
  let wakeups: AgentWorkWakeups;
  before(async () => {
    server = await startThrowawayPostgres();
    const url = await server.createDatabase();
    here = await openDatabase(url);
    other = await openDatabase(url);
    wakeups = new AgentWorkWakeups(here, (err) => assert.fail(err));
    wakeups.start();
  });
  after(async () => {
    await wakeups?.stop();
    await here?.close();
    await other?.close();
    await server?.destroy();
  });

  /** Holds polls of targets 1 and 2 (as the comms port does); says which woke. */
  const holdTwo = () => {
    const woke: number[] = [];
    const stop = new AbortController();
    const held = [1, 2].map((t) => wakeups.wait(t, 30_000, stop.signal).then(() => void woke.push(t)));
    return { woke, release: async () => (stop.abort(), await Promise.all(held)) };
  };

  it('work queued for one target wakes only that target\'s polls, on this node and through NOTIFY from another', async () => {
    // Give the listener its connection first: a notification sent before LISTEN is lost by design.
    await sleep(500);
    for (const queue of [() => void localAgentWork.emit('queued', 2), () => other.dialect.notify(other.db, AGENT_WORK_CHANNEL, '2')]) {
      const polls = holdTwo();
      await queue();
      await waitFor(() => polls.woke.length > 0, { timeoutMs: 5000, message: 'no poll woke' });
      await sleep(200);
      assert.deepEqual(polls.woke, [2], 'only the polls of the target the work is for');
      await polls.release();
    }
  });

  it('a wake-up that names no target (a reconnect, the poll timer) wakes every poll', async () => {
    const polls = holdTwo();
    wakeups.wake();
    await waitFor(() => polls.woke.length === 2, { timeoutMs: 5000, message: 'not every poll woke' });
    await polls.release();
  });
});
