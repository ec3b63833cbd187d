/**
 * The queue and node-registry contract, written only against `ShoalDb` and the verb
 * modules, so every dialect runs the same suite.
 *
 * The one seam is `open`: each call returns a NEW handle (its own connection or pool) to
 * the database of the test that is running. The harness gives every test a fresh, empty
 * database (e.g. a new SQLite file or a new PostgreSQL database in a root-level
 * `beforeEach`); the suite checks that it is empty and migrates it. Tests that race
 * several handles call `open` more than once; the suite closes every handle it opened.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { currentSchemaVersion, LATEST_SCHEMA_VERSION, migrateToLatest } from '../db/migrations/index.js';
import { FENCE_AFTER_MS, OFFLINE_AFTER_MS } from '../queue/leaseTimings.js';
import {
  deleteOfflineNode,
  heartbeat,
  listNodes,
  markNodeStopped,
  NodeNameInUseError,
  nodeStatus,
  registerNode,
  updateNode,
} from '../nodes/registry.js';
import { sweepOfflineNodes } from '../nodes/sweep.js';
import { waitFor } from './wait.js';
import { requestCancel } from '../queue/cancel.js';
import { claimTasks } from '../queue/claim.js';
import { completeTask, completeTasks } from '../queue/complete.js';
import { enqueueTask, type NewTask } from '../queue/enqueue.js';
import { expireQueuedTasks } from '../queue/expire.js';
import { releaseLostClaim } from '../queue/releaseClaim.js';
import { endTasksOfEarlierRun, endTasksOfSilentNode } from '../queue/endTasksOfNode.js';
import type { TaskRow } from '../queue/taskRecord.js';

const VERSION = '9.9.9-conformance';

export function queueConformance(label: string, open: () => Promise<ShoalDb>): void {
  describe(`queue conformance: ${label}`, () => {
    let shoal: ShoalDb;
    let versionBeforeMigration: string | undefined;
    let handles: ShoalDb[] = [];
    let tokens = 0;

    /** Another handle to the same database, closed after the test. */
    const another = async (): Promise<ShoalDb> => {
      const h = await open();
      handles.push(h);
      return h;
    };
    const token = () => `token-${++tokens}-${Math.random().toString(36).slice(2)}`;

    beforeEach(async () => {
      handles = [];
      shoal = await another();
      versionBeforeMigration = await currentSchemaVersion(shoal);
      await migrateToLatest(shoal);
      const leftovers = await shoal.db.selectFrom('tasks').select('id').limit(1).execute();
      const nodes = await shoal.db.selectFrom('nodes').select('name').limit(1).execute();
      assert.equal(leftovers.length + nodes.length, 0, 'the harness must give every test an empty database');
    });

    afterEach(async () => {
      for (const h of handles.reverse()) await h.close();
    });

    // ---- helpers (all through the verbs or plain Kysely, no dialect SQL) ----
    /** Each node name has one identity in these tests, unless a test says otherwise. */
    const idOf = (name: string) => `id-of-${name}`;
    const addNode = (name: string, taskCap: number, version = VERSION, on = shoal) =>
      registerNode(on, { name, nodeId: idOf(name), version, url: `http://${name}.test:8050`, taskCap });
    const enqueue = (description: string, extra: Partial<NewTask> = {}, on = shoal) =>
      enqueueTask(on, { kind: 'Test', description, arguments: { description }, ...extra });
    const task = async (id: number | bigint): Promise<TaskRow> =>
      shoal.db.selectFrom('tasks').selectAll().where('id', '=', Number(id)).executeTakeFirstOrThrow();
    const ids = (rows: TaskRow[]) => rows.map((r) => Number(r.id));
    const claim = (nodeName: string, tok = token(), on = shoal) => claimTasks(on, { nodeName, nodeId: idOf(nodeName), token: tok });
    const setSetting = async (key: string, value: string) => {
      await shoal.db.deleteFrom('settings').where('key', '=', key).execute();
      await shoal.db.insertInto('settings').values({ key, value, updated_at: shoal.dialect.now() }).execute();
    };
    /** Moves the node's last heartbeat back, as if it had been silent that long (database clock). */
    const silence = async (name: string, ms: number) => {
      await shoal.db
        .updateTable('nodes')
        .set({ last_seen: sql<number>`${shoal.dialect.now()} - ${ms}` })
        .where('name', '=', name)
        .execute();
    };
    const dbNow = async (): Promise<number> =>
      Number((await shoal.db.selectNoFrom(shoal.dialect.now().as('now')).executeTakeFirstOrThrow()).now);
    const statusOf = async (name: string) => {
      const [n] = await listNodes(shoal, name);
      assert.ok(n, `node ${name} is listed`);
      return nodeStatus(n, VERSION);
    };
    const activeCount = async (nodeName: string) => {
      const r = await shoal.db
        .selectFrom('tasks')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('node_name', '=', nodeName)
        .where('state', 'in', ['Executing', 'Cancelling'])
        .executeTakeFirstOrThrow();
      return Number(r.n);
    };

    describe('schema', () => {
      it('migrates a fresh database to the latest version, and migrating again changes nothing', async () => {
        assert.equal(versionBeforeMigration, undefined, 'a fresh database has no schema version');
        assert.equal(await currentSchemaVersion(shoal), LATEST_SCHEMA_VERSION);
        const t = await enqueue('survives a second migration');
        await migrateToLatest(shoal);
        await migrateToLatest(await another());
        assert.equal(await currentSchemaVersion(shoal), LATEST_SCHEMA_VERSION);
        assert.equal((await task(t.id)).description, 'survives a second migration');
      });

      it('refuses a database whose schema is newer than the code', async () => {
        await sql`insert into kysely_migration (name, timestamp) values (${'9999_from_the_future'}, ${new Date().toISOString()})`.execute(shoal.db);
        assert.equal(await currentSchemaVersion(shoal), '9999_from_the_future');
        await assert.rejects(migrateToLatest(shoal), /newer than this version of Shoal/);
      });
    });

    describe('enqueue and claim', () => {
      it('queues a task with its fields and an expiry after the queue time', async () => {
        const t = await enqueue('first', { concurrencyTag: 'tag-a', createdBy: 'alice', expiryMs: 60_000 });
        assert.equal(t.state, 'Queued');
        assert.equal(t.kind, 'Test');
        assert.equal(t.concurrency_tag, 'tag-a');
        assert.equal(t.created_by, 'alice');
        assert.deepEqual(JSON.parse(t.arguments), { description: 'first' });
        assert.equal(t.node_name, null);
        assert.equal(t.claim_token, null);
        assert.equal(Number(t.expires_at) - Number(t.queue_time), 60_000);
        const now = await dbNow();
        assert.ok(Math.abs(now - Number(t.queue_time)) < 60_000, 'queue time comes from the database clock');
      });

      it('claims in FIFO order of queue time, not of id', async () => {
        await addNode('fifo', 1);
        const tasks = [];
        for (const d of ['a', 'b', 'c', 'd']) tasks.push(await enqueue(d));
        // Queue times out of id order: b is oldest, then d, c, a.
        const ageSeconds = [10, 40, 20, 30];
        for (const [i, t] of tasks.entries()) {
          await shoal.db
            .updateTable('tasks')
            .set({ queue_time: sql<number>`${shoal.dialect.now()} - ${ageSeconds[i]! * 1000}` })
            .where('id', '=', Number(t.id))
            .execute();
        }
        const order: string[] = [];
        for (let i = 0; i < 4; i++) {
          const tok = token();
          const got = await claim('fifo', tok);
          assert.equal(got.length, 1, 'cap 1 claims one task at a time');
          order.push(got[0]!.description);
          assert.ok(await completeTask(shoal, Number(got[0]!.id), tok, 'Success', null));
        }
        assert.deepEqual(order, ['b', 'd', 'c', 'a']);
      });

      it('claims up to the cap in one go, marks the tasks Executing on the node with the token', async () => {
        await addNode('n1', 3);
        const queued = [];
        for (let i = 0; i < 5; i++) queued.push(await enqueue(`t${i}`));
        const tok = token();
        const got = await claim('n1', tok);
        assert.deepEqual(ids(got), ids(queued.slice(0, 3)));
        for (const row of got) {
          assert.equal(row.state, 'Executing');
          assert.equal(row.node_name, 'n1');
          assert.equal(row.claim_token, tok);
          assert.ok(row.start_time != null && Number(row.start_time) >= Number(row.queue_time));
          assert.equal((await task(row.id)).state, 'Executing');
        }
        assert.deepEqual(await claim('n1'), [], 'a full node claims nothing');
        assert.ok(await completeTask(shoal, Number(got[1]!.id), tok, 'Failed', 'boom'));
        assert.deepEqual(ids(await claim('n1')), [Number(queued[3]!.id)], 'a freed slot takes the next task');
        assert.equal((await task(queued[4]!.id)).state, 'Queued');
      });

      it('a node that is not registered claims nothing', async () => {
        await enqueue('orphan');
        assert.deepEqual(await claim('nobody'), []);
      });

      it('a draining node claims nothing, and claims again when the drain ends', async () => {
        await addNode('drainer', 5);
        const t = await enqueue('waits');
        assert.ok(await updateNode(shoal, 'drainer', { drain: true }));
        assert.deepEqual(await claim('drainer'), []);
        assert.equal((await task(t.id)).state, 'Queued');
        await addNode('drainer', 5); // registering again keeps the operator's drain flag
        assert.deepEqual(await claim('drainer'), []);
        assert.ok(await updateNode(shoal, 'drainer', { drain: false }));
        assert.deepEqual(ids(await claim('drainer')), [Number(t.id)]);
      });

      it('a node with cap 0 claims nothing', async () => {
        await addNode('zero', 0);
        await addNode('five', 5);
        const t = await enqueue('waits');
        assert.deepEqual(await claim('zero'), []);
        assert.ok(await updateNode(shoal, 'five', { taskCap: 0 }));
        assert.deepEqual(await claim('five'), []);
        assert.equal((await task(t.id)).state, 'Queued');
        assert.ok(await updateNode(shoal, 'zero', { taskCap: 1 }));
        assert.deepEqual(ids(await claim('zero')), [Number(t.id)]);
      });

      it('a stopped node claims nothing', async () => {
        await addNode('stopped', 5);
        await enqueue('waits');
        await markNodeStopped(shoal, 'stopped', idOf('stopped'));
        assert.deepEqual(await claim('stopped'), []);
      });

      it('nothing is claimed while the cluster queue is paused', async () => {
        await addNode('n1', 5);
        const t = await enqueue('paused');
        await setSetting('queue.paused', 'true');
        assert.deepEqual(await claim('n1'), []);
        assert.equal((await task(t.id)).state, 'Queued');
        await setSetting('queue.paused', 'false');
        assert.deepEqual(ids(await claim('n1')), [Number(t.id)]);
      });
    });

    describe('concurrency', () => {
      it('never exceeds a cap or claims a task twice under bursts of concurrent enqueues and claims', async () => {
        const caps: Record<string, number> = { alpha: 3, beta: 2 };
        for (const [name, cap] of Object.entries(caps)) await addNode(name, cap);
        // Two handles per node race for the same node's slots; two more only enqueue.
        const claimers = await Promise.all(
          Object.keys(caps).flatMap((name) => [0, 1].map(async () => ({ name, h: await another() }))),
        );
        const enqueuers = [await another(), await another()];
        const TOTAL = 60;

        const claimedBy = new Map<number, string>();
        const activeHere: Record<string, Set<number>> = { alpha: new Set(), beta: new Set() };
        const violations: string[] = [];
        let enqueued = 0;
        let finishedEnqueueing = false;
        const completions: Promise<void>[] = [];

        const enqueueAll = (async () => {
          const rows: TaskRow[] = [];
          for (let burst = 0; burst < TOTAL / 10; burst++) {
            // Ten at once, spread over both handles.
            rows.push(...(await Promise.all(Array.from({ length: 10 }, (_, i) => enqueue(`burst${burst}-${i}`, {}, enqueuers[i % 2]!)))));
            enqueued += 10;
            await new Promise((r) => setImmediate(r));
          }
          finishedEnqueueing = true;
          return rows;
        })();

        const runClaimer = async ({ name, h }: { name: string; h: ShoalDb }) => {
          const deadline = Date.now() + 30_000;
          while (Date.now() < deadline) {
            if (finishedEnqueueing && claimedBy.size === TOTAL) return;
            const tok = token();
            const got = await claim(name, tok, h);
            for (const row of got) {
              const id = Number(row.id);
              if (claimedBy.has(id)) violations.push(`task ${id} claimed by ${claimedBy.get(id)} and again by ${name}`);
              claimedBy.set(id, name);
              activeHere[name]!.add(id);
            }
            // Tasks enter this set only after the database made them active, and leave it before
            // they are completed, so it can never hold more than the database does.
            if (activeHere[name]!.size > caps[name]!) violations.push(`${name} ran ${activeHere[name]!.size} tasks, cap ${caps[name]}`);
            const inDb = await activeCount(name);
            if (inDb > caps[name]!) violations.push(`${name} has ${inDb} active tasks in the database, cap ${caps[name]}`);
            // Finish what was claimed a little later, so claims and completions interleave.
            for (const row of got) {
              completions.push((async () => {
                await new Promise((r) => setTimeout(r, Math.random() * 5));
                activeHere[name]!.delete(Number(row.id));
                if (!(await completeTask(h, Number(row.id), tok, 'Success', null))) violations.push(`task ${row.id} could not be completed`);
              })());
            }
            await new Promise((r) => setTimeout(r, got.length ? 0 : 1));
          }
        };

        const [rows] = await Promise.all([enqueueAll, ...claimers.map(runClaimer)]);
        await Promise.all(completions);
        assert.deepEqual(violations, []);
        assert.equal(enqueued, TOTAL);
        assert.equal(new Set(ids(rows)).size, TOTAL, 'every enqueue got its own id');
        assert.equal(claimedBy.size, TOTAL, 'every task was claimed once');
        await waitFor(async () => (await shoal.db.selectFrom('tasks').select('id').where('state', '!=', 'Success').execute()).length === 0, 'all tasks to succeed');
        assert.ok([...claimedBy.values()].includes('alpha') && [...claimedBy.values()].includes('beta'), 'both nodes took work');
      });
    });

    describe('expiry', () => {
      it('a task still queued past its expiry ends TimedOut and is never claimed', async () => {
        await addNode('n1', 5);
        const expiring = await enqueue('expires', { expiryMs: 50 });
        const normal = await enqueue('stays');
        await waitFor(async () => (await dbNow()) > Number(expiring.expires_at), 'the database clock to pass the expiry');
        assert.deepEqual(ids(await claim('n1')), [Number(normal.id)], 'the expired task is not claimed even before the sweep');
        assert.equal(await expireQueuedTasks(shoal), 1);
        const t = await task(expiring.id);
        assert.equal(t.state, 'TimedOut');
        assert.ok(t.completed_time != null);
        assert.match(t.error_message ?? '', /queue past its expiry/);
        assert.equal((await task(normal.id)).state, 'Executing', 'expiry only touches queued tasks');
        assert.equal(await expireQueuedTasks(shoal), 0, 'expiring again changes nothing');
      });
    });

    describe('concurrency tags', () => {
      it('starts the tasks of one tag in queue-time order, not id order', async () => {
        await addNode('a', 10);
        const first = await enqueue('queued later', { concurrencyTag: 'T' });
        const second = await enqueue('queued earlier', { concurrencyTag: 'T' });
        // Ids and queue times disagree (two nodes inserting at once on a server database).
        await shoal.db.updateTable('tasks').set({ queue_time: sql<number>`${shoal.dialect.now()} - 5000` }).where('id', '=', Number(second.id)).execute();
        const tok = token();
        assert.deepEqual(ids(await claim('a', tok)), [Number(second.id)]);
        assert.ok(await completeTask(shoal, Number(second.id), tok, 'Success', null));
        assert.deepEqual(ids(await claim('a')), [Number(first.id)]);
      });

      it('runs tasks with the same tag one at a time, in queue order, across nodes', async () => {
        await addNode('a', 10);
        await addNode('b', 10);
        const x1 = await enqueue('x1', { concurrencyTag: 'Projects-1/Environments-1' });
        const x2 = await enqueue('x2', { concurrencyTag: 'Projects-1/Environments-1' });
        const free = await enqueue('free');
        const y1 = await enqueue('y1', { concurrencyTag: 'Projects-2/Environments-1' });
        const x3 = await enqueue('x3', { concurrencyTag: 'Projects-1/Environments-1' });

        const tokA = token();
        assert.deepEqual(ids(await claim('a', tokA)), ids([x1, free, y1]));
        assert.deepEqual(await claim('b'), [], 'another node may not start x2 while x1 runs');
        assert.deepEqual(await claim('a'), [], 'nor may the same node');

        assert.ok(await completeTask(shoal, Number(x1.id), tokA, 'Failed', 'failed tasks free the tag too'));
        const tokB = token();
        assert.deepEqual(ids(await claim('b', tokB)), ids([x2]));

        assert.equal((await requestCancel(shoal, Number(x2.id), 'stop'))!.state, 'Cancelling');
        assert.deepEqual(await claim('a'), [], 'a task being cancelled still holds its tag');
        assert.ok(await completeTask(shoal, Number(x2.id), tokB, 'Canceled', 'stop'));
        assert.deepEqual(ids(await claim('a')), ids([x3]));
        assert.equal((await task(x3.id)).state, 'Executing');
      });
    });

    describe('cancel', () => {
      it('a queued task ends Canceled with the reason at once', async () => {
        const t = await enqueue('to cancel');
        const after = await requestCancel(shoal, Number(t.id), 'Canceled by alice.');
        assert.equal(after!.state, 'Canceled');
        assert.equal(after!.error_message, 'Canceled by alice.');
        assert.ok(after!.completed_time != null);
        await addNode('n1', 5);
        assert.deepEqual(await claim('n1'), [], 'a canceled task is never claimed');
      });

      it('an executing task goes to Cancelling and still occupies its slot until the node ends it', async () => {
        await addNode('n1', 1);
        const t = await enqueue('running');
        await enqueue('next');
        const tok = token();
        await claim('n1', tok);
        assert.equal((await requestCancel(shoal, Number(t.id), 'stop it'))!.state, 'Cancelling');
        assert.equal((await requestCancel(shoal, Number(t.id), 'again'))!.state, 'Cancelling', 'cancelling twice is harmless');
        assert.deepEqual(await claim('n1'), [], 'the slot is still taken');
        assert.ok(await completeTask(shoal, Number(t.id), tok, 'Canceled', 'stop it'));
        const done = await task(t.id);
        assert.equal(done.state, 'Canceled');
        assert.equal((await requestCancel(shoal, Number(t.id), 'late'))!.state, 'Canceled', 'a final state never changes');
        assert.equal((await claim('n1')).length, 1);
      });

      it('cancelling an unknown task returns nothing', async () => {
        assert.equal(await requestCancel(shoal, 987654, 'nope'), undefined);
      });
    });

    describe('claim tokens', () => {
      it('a claim whose answer was lost goes back to the queue in its place; one canceled meanwhile ends Canceled', async () => {
        await addNode('n1', 5);
        const a = await enqueue('a');
        const b = await enqueue('b');
        const lost = token();
        await claim('n1', lost);
        await requestCancel(shoal, Number(b.id), 'user');
        assert.equal(await releaseLostClaim(shoal, lost), 2);
        const [ra, rb] = [await task(a.id), await task(b.id)];
        assert.deepEqual([ra.state, ra.node_name, ra.claim_token], ['Queued', null, null]);
        assert.equal(Number(ra.queue_time), Number(a.queue_time));
        assert.equal(rb.state, 'Canceled');
        assert.deepEqual(ids(await claim('n1')), [Number(a.id)]);
        assert.equal(await releaseLostClaim(shoal, lost), 0, 'only that claim, only while it is still its');
      });

      it('only the current claim token completes a task, and only once', async () => {
        await addNode('n1', 5);
        const t = await enqueue('guarded');
        const tok = token();
        await claim('n1', tok);
        assert.equal(await completeTask(shoal, Number(t.id), 'someone-else', 'Success', null), false);
        assert.equal((await task(t.id)).state, 'Executing');
        assert.equal(await completeTask(shoal, Number(t.id), tok, 'Failed', 'exit 3'), true);
        assert.equal(await completeTask(shoal, Number(t.id), tok, 'Success', null), false, 'a final state is never overwritten');
        const done = await task(t.id);
        assert.equal(done.state, 'Failed');
        assert.equal(done.error_message, 'exit 3');
        assert.ok(done.completed_time != null);
      });

      it('completes several tasks in one statement, each only under its own current token', async () => {
        await addNode('n1', 5);
        const [a, b, c] = [await enqueue('a'), await enqueue('b'), await enqueue('c')];
        const first = token();
        await claim('n1', first);
        // Tokens crossed with ids must match nothing: c carries first, not other.
        const claims = [
          { id: Number(a.id), token: first },
          { id: Number(b.id), token: first },
          { id: Number(c.id), token: 'other' },
        ];
        assert.equal(await completeTasks(shoal, claims, 'Success', null), 2);
        assert.deepEqual([(await task(a.id)).state, (await task(b.id)).state, (await task(c.id)).state], ['Success', 'Success', 'Executing']);
        assert.equal(await completeTasks(shoal, [{ id: Number(c.id), token: first }, { id: Number(a.id), token: first }], 'Failed', 'late'), 1, 'a final state is never overwritten');
        assert.deepEqual([(await task(a.id)).state, (await task(c.id)).error_message], ['Success', 'late']);
      });

      it("stores each task's whole log with its outcome, in the same statement and under the same guard", async () => {
        await addNode('n1', 5);
        const [a, b, c, d] = [await enqueue('a'), await enqueue('b'), await enqueue('c'), await enqueue('d')];
        const tok = token();
        await claim('n1', tok);
        const logOf = (name: string) => `line of ${name}\n${'é'.repeat(5000)}\nEND Success\n`;
        const claims = [
          { id: Number(a.id), token: tok, log: logOf('a') },
          { id: Number(b.id), token: tok }, // no log: its own is kept as a file
          { id: Number(c.id), token: 'other', log: logOf('c') },
          { id: Number(d.id), token: tok, log: logOf('d') },
        ];
        assert.equal(await completeTasks(shoal, claims, 'Success', null), 3);
        assert.deepEqual(
          [(await task(a.id)).log_text, (await task(b.id)).log_text, (await task(c.id)).log_text, (await task(d.id)).log_text],
          [logOf('a'), null, null, logOf('d')],
          'each row its own log; a crossed token stores none',
        );
        assert.equal(await completeTasks(shoal, [{ id: Number(a.id), token: tok, log: 'late' }], 'Failed', 'late'), 0);
        assert.equal((await task(a.id)).log_text, logOf('a'), 'a recorded log is never overwritten');
      });

      it('a node that lost its lease cannot overwrite what the sweep decided', async () => {
        await addNode('lost', 5);
        await addNode('alive', 5);
        const t = await enqueue('lease');
        const tok = token();
        await claim('lost', tok);
        await silence('lost', OFFLINE_AFTER_MS + 5000);
        assert.equal(await sweepOfflineNodes(shoal), 1);
        const failed = await task(t.id);
        assert.equal(failed.state, 'Failed');
        assert.match(failed.error_message ?? '', /lost/);
        assert.equal(await completeTask(shoal, Number(t.id), tok, 'Success', null), false);
        const after = await task(t.id);
        assert.equal(after.state, 'Failed');
        assert.equal(after.error_message, failed.error_message);
      });
    });

    describe('ending the tasks of a node', () => {
      it('ends Executing as Failed and Cancelling as Canceled with the reason, touches nothing else, and is idempotent', async () => {
        await addNode('dead', 5);
        await addNode('other', 5);
        const exec = await enqueue('executing');
        const canc = await enqueue('cancelling');
        await claim('dead');
        const others = await enqueue('other node');
        await claim('other');
        const queued = await enqueue('still queued');
        await requestCancel(shoal, Number(canc.id), 'user asked');

        const reason = 'Node dead stopped unexpectedly.';
        assert.equal(await endTasksOfEarlierRun(shoal, 'dead', reason), 2);
        const e = await task(exec.id);
        const c = await task(canc.id);
        assert.deepEqual([e.state, e.error_message], ['Failed', reason]);
        assert.deepEqual([c.state, c.error_message], ['Canceled', reason]);
        assert.ok(e.completed_time != null && c.completed_time != null);
        assert.equal((await task(others.id)).state, 'Executing');
        assert.equal((await task(queued.id)).state, 'Queued');

        assert.equal(await endTasksOfEarlierRun(shoal, 'dead', 'a second reason'), 0);
        assert.deepEqual(await task(exec.id), e, 'ending again changes nothing');
        assert.deepEqual(await task(canc.id), c);
      });
    });

    describe('nodes', () => {
      it('registers, lists with liveness, and reports Running, Draining, Drained, VersionMismatch and Offline', async () => {
        await addNode('n1', 4);
        let [n] = await listNodes(shoal, 'n1');
        assert.equal(n!.task_cap, 4);
        assert.equal(n!.version, VERSION);
        assert.equal(n!.url, 'http://n1.test:8050');
        assert.equal(n!.running_tasks, 0);
        assert.ok(n!.silent_ms >= 0 && n!.silent_ms < 5000, `silent for ${n!.silent_ms} ms right after registering`);
        assert.equal(await statusOf('n1'), 'Running');

        assert.ok(await updateNode(shoal, 'n1', { drain: true }));
        assert.equal(await statusOf('n1'), 'Drained');
        await updateNode(shoal, 'n1', { drain: false });
        await enqueue('busy');
        await claim('n1');
        await updateNode(shoal, 'n1', { drain: true });
        assert.equal(await statusOf('n1'), 'Draining');
        [n] = await listNodes(shoal, 'n1');
        assert.equal(n!.running_tasks, 1);

        await addNode('old', 1, '0.0.1');
        assert.equal(await statusOf('old'), 'VersionMismatch');

        assert.deepEqual((await listNodes(shoal)).map((x) => x.name), ['n1', 'old']);
        assert.deepEqual(await listNodes(shoal, 'missing'), []);
      });

      it('a silent node is Offline until it heartbeats again; a stopped one until it registers or beats', async () => {
        await addNode('quiet', 2);
        await silence('quiet', OFFLINE_AFTER_MS - 5000);
        assert.equal(await statusOf('quiet'), 'Running', 'silent for less than the threshold');
        await silence('quiet', OFFLINE_AFTER_MS + 5000);
        assert.equal(await statusOf('quiet'), 'Offline');
        assert.equal(await heartbeat(shoal, 'quiet', idOf('quiet')), true);
        assert.equal(await statusOf('quiet'), 'Running');

        await markNodeStopped(shoal, 'quiet', idOf('quiet'));
        assert.equal(await statusOf('quiet'), 'Offline');
        await addNode('quiet', 2);
        assert.equal(await statusOf('quiet'), 'Running');
      });

      it('a heartbeat says whether the row is still this node\'s: deleted or taken over, it is not', async () => {
        await addNode('n1', 2);
        assert.equal(await heartbeat(shoal, 'n1', idOf('n1')), true);
        assert.equal(await heartbeat(shoal, 'n1', 'another-identity'), false);
        assert.equal(await heartbeat(shoal, 'unknown', idOf('unknown')), false);
        await silence('n1', OFFLINE_AFTER_MS + 1000);
        assert.equal(await deleteOfflineNode(shoal, 'n1'), 'deleted');
        assert.equal(await heartbeat(shoal, 'n1', idOf('n1')), false, 'a deleted node does not silently beat into nothing');
      });

      it('a task cap or drain set by an operator survives the node registering again; an explicit override replaces the cap', async () => {
        await addNode('n1', 2);
        await updateNode(shoal, 'n1', { taskCap: 7, drain: true });
        await addNode('n1', 2);
        let [n] = await listNodes(shoal, 'n1');
        assert.deepEqual([n!.task_cap, Number(n!.drain)], [7, 1]);
        await registerNode(shoal, { name: 'n1', nodeId: idOf('n1'), version: VERSION, url: 'u', taskCap: 3, overrideTaskCap: true });
        [n] = await listNodes(shoal, 'n1');
        assert.deepEqual([n!.task_cap, Number(n!.drain)], [3, 1]);
      });

      it('a node name held by a live node of another identity is refused; a silent or stopped holder gives it up', async () => {
        await addNode('twin', 2);
        await assert.rejects(
          registerNode(shoal, { name: 'twin', nodeId: 'other-data-dir', version: VERSION, url: 'http://elsewhere:8050', taskCap: 2 }),
          (err: Error) => err instanceof NodeNameInUseError && /twin\.test:8050/.test(err.message) && /last seen/.test(err.message),
        );
        await addNode('twin', 2); // the same identity restarting is welcome at once
        await silence('twin', OFFLINE_AFTER_MS + 1000);
        await registerNode(shoal, { name: 'twin', nodeId: 'other-data-dir', version: VERSION, url: 'http://elsewhere:8050', taskCap: 2 });
        assert.equal(await heartbeat(shoal, 'twin', idOf('twin')), false, 'the old holder lost the name');
        assert.equal(await heartbeat(shoal, 'twin', 'other-data-dir'), true);
      });

      it('deletes a node only while it is Offline, re-checked in the DELETE', async () => {
        await addNode('n1', 2);
        assert.equal(await deleteOfflineNode(shoal, 'n1'), 'online');
        assert.equal(await deleteOfflineNode(shoal, 'ghost'), 'missing');
        await markNodeStopped(shoal, 'n1', idOf('n1'));
        assert.equal(await deleteOfflineNode(shoal, 'n1'), 'deleted');
        assert.deepEqual(await listNodes(shoal, 'n1'), []);
      });

      it('updateNode says whether the node exists', async () => {
        await addNode('n1', 2);
        assert.equal(await updateNode(shoal, 'n1', {}), true);
        assert.equal(await updateNode(shoal, 'ghost', {}), false);
        assert.equal(await updateNode(shoal, 'ghost', { taskCap: 3 }), false);
        assert.equal(await updateNode(shoal, 'n1', { taskCap: 0, drain: true }), true);
        const [n] = await listNodes(shoal, 'n1');
        assert.deepEqual([n!.task_cap, Number(n!.drain)], [0, 1]);
      });

      it('the sweep ends the tasks of offline nodes only, with a reason naming the node, and is idempotent', async () => {
        await addNode('gone', 5);
        await addNode('stopped', 5);
        await addNode('alive', 5);
        const g1 = await enqueue('g1');
        const g2 = await enqueue('g2');
        await claim('gone');
        await requestCancel(shoal, Number(g2.id), 'user');
        const s1 = await enqueue('s1');
        await claim('stopped');
        const a1 = await enqueue('a1');
        await claim('alive');
        await silence('gone', OFFLINE_AFTER_MS + 5000);
        await markNodeStopped(shoal, 'stopped', idOf('stopped'));

        assert.equal(await sweepOfflineNodes(shoal), 3);
        const [t1, t2, t3, t4] = await Promise.all([task(g1.id), task(g2.id), task(s1.id), task(a1.id)]);
        assert.equal(t1.state, 'Failed');
        assert.match(t1.error_message ?? '', /Node gone went offline/);
        assert.equal(t2.state, 'Canceled');
        assert.equal(t3.state, 'Failed');
        assert.match(t3.error_message ?? '', /Node stopped/);
        assert.equal(t4.state, 'Executing', 'a live node keeps its tasks');
        assert.equal(await sweepOfflineNodes(shoal), 0);
      });
      it('the sweep does not end the tasks of a node whose heartbeat landed after the sweep looked (sweep vs heartbeat race)', async () => {
        await addNode('b', 5);
        await silence('b', OFFLINE_AFTER_MS + 100);
        // The sweeper has seen b silent and is about to end its tasks…
        const [seen] = await listNodes(shoal, 'b');
        assert.equal(nodeStatus(seen!, VERSION), 'Offline');
        // …when b's heartbeat lands and b claims task X.
        assert.equal(await heartbeat(shoal, 'b', idOf('b')), true);
        const x = await enqueue('x');
        assert.deepEqual(ids(await claim('b')), [Number(x.id)]);
        assert.equal(await endTasksOfSilentNode(shoal, 'b', 'Node b went offline.'), 0);
        assert.equal((await task(x.id)).state, 'Executing', 'X runs on b, and stays so');
      });

      it('the sweep ends the tasks of a node whose row was deleted', async () => {
        await addNode('doomed', 5);
        const t = await enqueue('orphaned');
        await claim('doomed');
        await shoal.db.deleteFrom('nodes').where('name', '=', 'doomed').execute();
        assert.equal(await sweepOfflineNodes(shoal), 1);
        const ended = await task(t.id);
        assert.equal(ended.state, 'Failed');
        assert.match(ended.error_message ?? '', /doomed was deleted/);
      });

      it('a node claims only inside its lease: nothing once its last heartbeat is older than the fence', async () => {
        await addNode('late', 5);
        const t = await enqueue('waits for a live node');
        await silence('late', FENCE_AFTER_MS + 500);
        assert.deepEqual(await claim('late'), []);
        assert.equal(await heartbeat(shoal, 'late', idOf('late')), true);
        assert.deepEqual(ids(await claim('late')), [Number(t.id)]);
      });
    });
  });
}
