/**
 * A standalone node as an evaluator runs it: `shoal run` as a real process on SQLite,
 * driven only through its HTTP API, its signals and its data folder.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ShoalClient } from '../helpers/apiClient.js';
import { createApiKeyViaCli } from '../helpers/cli.js';
import { maxOverlap, sampler, type Interval } from '../helpers/concurrency.js';
import { commandLine, isAlive, killGroupIf, parentPid } from '../../server-core/src/testing/processes.js';
import { startShoalProcess, type ShoalProcess } from '../helpers/shoalProcess.js';
import { readShoalDb } from '../helpers/shoalDb.js';
import { readEventStream } from '../helpers/sse.js';
import { getTask, queueScript, taskLog, waitForTaskState, type Task } from '../helpers/tasks.js';
import { tempDir } from '../helpers/tempDir.js';
import { onTeardown, teardown } from '../helpers/teardown.js';
import { sleep, waitFor } from '../../server-core/src/testing/wait.js';

const TASK_CAP = 3;
const RUN = crypto.randomBytes(4).toString('hex');
const mark = (name: string) => `MARK[${RUN}-${name}]`;
const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;
const ms = (iso: string | null) => (iso ? Date.parse(iso) : NaN);

interface NodeView {
  name: string;
  status: string;
  runningTasks: number;
  taskCap: number;
  drain: boolean;
}

/** Scripts record `$$` here so that orphans a crash leaves behind can be found and ended. */
function scriptPidsFile(dir: string): string {
  const file = path.join(dir, 'script-pids');
  onTeardown(() => {
    if (!fs.existsSync(file)) return;
    for (const pid of fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number)) killGroupIf(pid, dir);
  });
  return file;
}

after(() => teardown());

describe('standalone node (shoal run, task cap 3)', () => {
  let node: ShoalProcess;
  let admin: ShoalClient; // login cookie
  let automation: ShoalClient; // API key from `shoal api-key create`
  let work: string;
  let pids: string;

  const nodeView = () => admin.get<NodeView>(`/api/nodes/${node.nodeName}`);
  const ping = async () => (await fetch(`${node.url}/api/nodes/ping`)).status;
  const fail = (msg: string) => `${msg}\n${node.output()}`;

  before(async () => {
    work = tempDir('shoal-standalone-');
    pids = scriptPidsFile(work);
    node = await startShoalProcess({ dataDir: path.join(work, 'data'), taskCap: TASK_CAP, nodeName: 'standalone-1' });
    admin = await ShoalClient.login(node.url, 'admin', node.adminPassword);
    automation = new ShoalClient(node.url, { apiKey: await createApiKeyViaCli(node.dataDir) });
  });

  it('runs 20 queued scripts, never more than 3 at once, each logging its marker once', async () => {
    const record = path.join(work, 'intervals');
    const samples = sampler(async () => (await nodeView()).runningTasks, 25);
    const tasks: { task: Task; marker: string }[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        const marker = mark(`c${i}`);
        const script = [
          `echo $$ >> '${pids}'`,
          `echo "start ${i} $(date +%s%N)" >> '${record}'`,
          `echo '${marker}'`,
          `sleep 0.${5 + (i % 5)}`,
          `echo "end ${i} $(date +%s%N)" >> '${record}'`,
        ].join('\n');
        tasks.push({ task: await queueScript(automation, script, { description: `concurrency ${i}` }), marker });
      }
      for (const { task } of tasks) assert.ok(['Queued', 'Executing'].includes(task.state), `new task is ${task.state}`);
      const done = await Promise.all(tasks.map(({ task }) => waitForTaskState(automation, task.id, ['Success', 'Failed', 'Canceled', 'TimedOut'], 60_000)));
      for (const t of done) assert.equal(t.state, 'Success', fail(`${t.id} ended ${t.state}: ${t.errorMessage}`));

      // 1. What the scripts themselves saw (their own clock).
      const seen = new Map<string, Partial<Interval>>();
      for (const line of fs.readFileSync(record, 'utf8').trim().split('\n')) {
        const [what, id, ns] = line.split(' ');
        const iv = seen.get(id!) ?? {};
        iv[what as 'start' | 'end'] = Number(BigInt(ns!) / 1000n) / 1000;
        seen.set(id!, iv);
      }
      assert.equal(seen.size, 20, 'every script recorded its interval');
      const scriptMax = maxOverlap([...seen.values()] as Interval[]);
      // 2. What the node recorded (database clock: claim to completion).
      const dbMax = maxOverlap(done.map((t) => ({ start: ms(t.startTime), end: ms(t.completedTime) })));
      // 3. What an operator saw on GET /api/nodes while it ran.
      await samples.stop();
      const apiMax = Math.max(...samples.values);
      const summary = `scripts ${scriptMax}, database ${dbMax}, GET /api/nodes ${apiMax} (${samples.values.length} samples)`;
      assert.ok(scriptMax <= TASK_CAP && dbMax <= TASK_CAP && apiMax <= TASK_CAP, `more than ${TASK_CAP} at once: ${summary}`);
      assert.equal(scriptMax, TASK_CAP, `the cap was never reached: ${summary}`);
      assert.equal(dbMax, TASK_CAP, `the cap was never reached: ${summary}`);
      assert.equal(apiMax, TASK_CAP, `the cap was never seen on GET /api/nodes: ${summary}`);
      assert.equal(samples.errors.length, 0, `sampling failed: ${samples.errors[0]}`);

      // FIFO by queue time: with one node, tasks start in the order they were queued.
      const starts = done.map((t) => ms(t.startTime));
      for (let i = 1; i < starts.length; i++) assert.ok(starts[i]! >= starts[i - 1]!, `task ${done[i]!.id} started before ${done[i - 1]!.id}`);

      for (const { task, marker } of tasks) {
        const log = await taskLog(automation, task.id);
        assert.equal(count(log, marker), 1, `log of ${task.id} should hold ${marker} once:\n${log}`);
        for (const other of tasks) if (other.task.id !== task.id) assert.equal(count(log, other.marker), 0, `log of ${task.id} holds ${other.marker}`);
      }
    } finally {
      await samples.stop();
    }
  });

  it('drains: ping 418 at once, running tasks finish, queued ones wait; undrain runs the rest', async () => {
    const tasks: Task[] = [];
    for (let i = 0; i < 8; i++) tasks.push(await queueScript(automation, `echo '${mark(`d${i}`)}'\nsleep 2`, { description: `drain ${i}` }));
    const ids = new Set(tasks.map((t) => t.id));
    const ours = async (state: string) =>
      (await automation.get<{ items: Task[] }>(`/api/tasks?state=${state}&take=100`)).items.filter((t) => ids.has(t.id));
    await waitFor(async () => (await ours('Executing')).length === TASK_CAP, { timeoutMs: 10_000, message: 'three drain tasks running' });

    const t0 = Date.now();
    const patched = await admin.patch<NodeView>(`/api/nodes/${node.nodeName}`, { drain: true });
    assert.equal(patched.drain, true);
    const allowed = new Set((await ours('Executing')).map((t) => t.id));
    assert.ok(allowed.size >= 1, 'tasks were running when the drain began');
    assert.equal(patched.status, 'Draining', 'a draining node with running tasks is Draining');
    await waitFor(async () => (await ping()) === 418, { timeoutMs: 1000, intervalMs: 20, message: 'ping turns 418 within a second of the drain' });
    const to418 = Date.now() - t0;

    // While drained, only the tasks that were already running may run, and they end Success.
    const watch = sampler(async () => ({ executing: (await ours('Executing')).map((t) => t.id), node: await nodeView() }), 100);
    try {
      const finished = await Promise.all([...allowed].map((id) => waitForTaskState(automation, id, ['Success', 'Failed', 'Canceled'], 15_000)));
      for (const t of finished) assert.equal(t.state, 'Success', fail(`${t.id} (running at drain) ended ${t.state}: ${t.errorMessage}`));
      const drained = await waitFor(async () => ((await nodeView()).status === 'Drained' ? nodeView() : undefined), { timeoutMs: 3000, message: 'node Drained' });
      assert.equal(drained.runningTasks, 0);
      await sleep(2500); // past the executor's fallback poll (1 s), twice
      await watch.stop();
      for (const s of watch.values) {
        for (const id of s.executing) assert.ok(allowed.has(id), `${id} started while the node was drained`);
        assert.ok(['Draining', 'Drained'].includes(s.node.status), `status ${s.node.status} while drained`);
        if (s.node.status === 'Drained') assert.equal(s.node.runningTasks, 0);
      }
      assert.ok(watch.values.some((s) => s.node.status === 'Draining'), 'Draining was seen while tasks ran');
      const queued = await ours('Queued');
      for (const t of tasks.filter((t) => !allowed.has(t.id))) {
        const now = await getTask(automation, t.id);
        if (now.state !== 'Queued') {
          // Only possible for a task that had already started before the drain was committed.
          assert.ok(ms(now.startTime) <= t0, `${t.id} is ${now.state} after the drain (started ${now.startTime})`);
        } else {
          assert.equal(now.startTime, null);
        }
      }
      assert.ok(queued.length >= 4, `most drain tasks still queued (got ${queued.length})`);
      assert.equal(await ping(), 418);
    } finally {
      await watch.stop();
    }

    const t1 = Date.now();
    const undrained = await admin.patch<NodeView>(`/api/nodes/${node.nodeName}`, { drain: false });
    assert.equal(undrained.drain, false);
    await waitFor(async () => (await ping()) === 200, { timeoutMs: 1000, intervalMs: 20, message: 'ping 200 within a second of undrain' });
    const to200 = Date.now() - t1;
    const rest = await Promise.all(tasks.map((t) => waitForTaskState(automation, t.id, ['Success', 'Failed', 'Canceled', 'TimedOut'], 30_000)));
    for (const t of rest) assert.equal(t.state, 'Success', fail(`${t.id} ended ${t.state}: ${t.errorMessage}`));
    assert.equal((await nodeView()).status, 'Running');
    console.log(`# drain: ping 418 after ${to418} ms; undrain: ping 200 after ${to200} ms`);
  });

  it('streams a running task log live over text/event-stream and ends with an end event', async () => {
    const lines = 6;
    const task = await queueScript(automation, `for i in $(seq 1 ${lines}); do echo "${mark('live')} line $i"; sleep 0.4; done`);
    const arrivals: { line: number; at: number; stateThen?: string }[] = [];
    const checks: Promise<void>[] = [];
    const { status, contentType, events } = await readEventStream(`${node.url}/api/tasks/${task.id}/log`, automation.headers(), (e) => {
      const m = new RegExp(`${mark('live').replace(/[[\]]/g, '\\$&')} line (\\d+)`).exec(e.data);
      if (!m || e.event !== 'message') return;
      const arrival: (typeof arrivals)[number] = { line: Number(m[1]), at: Date.now() };
      arrivals.push(arrival);
      if (arrival.line === 1) checks.push(getTask(automation, task.id).then((t) => void (arrival.stateThen = t.state)));
    });
    await Promise.all(checks);
    assert.equal(status, 200);
    assert.match(contentType, /^text\/event-stream/);
    const done = await getTask(automation, task.id);
    assert.equal(done.state, 'Success');
    assert.deepEqual(arrivals.map((a) => a.line), Array.from({ length: lines }, (_, i) => i + 1), 'every line once, in order');
    assert.equal(arrivals[0]!.stateThen, 'Executing', 'the first line arrived while the task still ran');
    const completed = ms(done.completedTime);
    assert.ok(arrivals[0]!.at < completed - 1000, `first line ${completed - arrivals[0]!.at} ms before the end; expected > 1 s`);
    const last = events.at(-1)!;
    assert.equal(last.event, 'end', `the stream ends with an end event, got ${JSON.stringify(last)}`);
    assert.equal(JSON.parse(last.data).state, 'Success');
    assert.equal(events.filter((e) => e.event === 'end').length, 1);
  });

  it('SIGTERM while a task runs: exits 0 within 10 s, the task ends Canceled with a reason, the node is Offline', async () => {
    const pidFile = path.join(work, 'long-pid');
    const task = await queueScript(automation, `echo $$ > '${pidFile}'\necho $$ >> '${pids}'\necho '${mark('long')} started'\nsleep 60`);
    await waitForTaskState(automation, task.id, ['Executing']);
    await waitFor(async () => (await taskLog(automation, task.id)).includes(mark('long')), { message: 'long task started its script' });
    const scriptPid = Number(fs.readFileSync(pidFile, 'utf8'));

    const exit = await node.stop('SIGTERM', 20_000);
    console.log(`# SIGTERM with a running task: exit code ${exit.code} after ${exit.ms} ms`);
    assert.equal(exit.signal, null, fail('the node was killed instead of exiting'));
    assert.equal(exit.code, 0, fail('exit code after SIGTERM'));
    assert.ok(exit.ms < 10_000, fail(`stopping took ${exit.ms} ms`));
    assert.match(node.stdout(), /Stopped\./);
    await waitFor(() => !isAlive(scriptPid), { timeoutMs: 3000, message: `script process ${scriptPid} ended with the node` });

    const { row, nodeRow } = readShoalDb(node.dataDir, (db) => ({
      row: db.prepare('select state, error_message, completed_time from tasks where id = ?').get(Number(task.id.replace('ServerTasks-', ''))) as {
        state: string;
        error_message: string | null;
        completed_time: number | null;
      },
      nodeRow: db.prepare('select stopped_at from nodes where name = ?').get(node.nodeName) as { stopped_at: number | null },
    }));
    assert.equal(row.state, 'Canceled');
    assert.match(row.error_message ?? '', /shut down \(SIGTERM\)/, 'the reason names the shutdown');
    assert.match(row.error_message ?? '', new RegExp(node.nodeName));
    assert.ok(row.completed_time, 'completed time set');
    assert.ok(nodeRow.stopped_at != null, 'the node row says it stopped, so every node shows it Offline');

    // The same data dir starts again; the canceled task stays as it was, and its log says why.
    node = await startShoalProcess({ dataDir: node.dataDir, taskCap: TASK_CAP, nodeName: node.nodeName });
    admin = await ShoalClient.login(node.url, 'admin', node.adminPassword);
    automation = automation.at(node.url);
    const again = await getTask(automation, task.id);
    assert.equal(again.state, 'Canceled');
    assert.equal(again.errorMessage, row.error_message);
    assert.match(await taskLog(automation, task.id), /ended: Canceled/);
    assert.equal((await nodeView()).status, 'Running');
  });
});

describe('standalone node killed with SIGKILL mid-task', () => {
  it('on restart, the task that was Executing is Failed with a reason naming the node; queued work survives', async () => {
    const work = tempDir('shoal-crash-');
    const pids = scriptPidsFile(work);
    const pidFile = path.join(work, 'crash-pid');
    const dataDir = path.join(work, 'data');
    const nodeName = 'crash-node';
    let node = await startShoalProcess({ dataDir, taskCap: 1, nodeName });
    const client = new ShoalClient(node.url, { apiKey: await createApiKeyViaCli(dataDir) });
    const long = await queueScript(client, `echo $$ > '${pidFile}'\necho $$ >> '${pids}'\necho started\nsleep 30`);
    const next = await queueScript(client, `echo '${mark('after-crash')}'`);
    await waitForTaskState(client, long.id, ['Executing']);
    await waitFor(() => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').trim(), { message: 'script started' });
    const scriptPid = Number(fs.readFileSync(pidFile, 'utf8'));

    // The script's supervisor ends it the moment the node's pipe closes (test/faults/nodeDeath.test.ts).
    // Here it dies with the node, frozen first so it cannot: the script is really left behind.
    let supervisor = parentPid(scriptPid);
    while (supervisor && !commandLine(supervisor).includes('supervisor/main')) supervisor = parentPid(supervisor);
    assert.ok(supervisor, 'the script runs under its supervisor');
    process.kill(supervisor, 'SIGSTOP');
    const exit = await node.stop('SIGKILL');
    assert.equal(exit.signal, 'SIGKILL');
    process.kill(supervisor, 'SIGKILL');
    const before = readShoalDb(dataDir, (db) => db.prepare('select id, state from tasks order by id').all() as { id: number; state: string }[]);
    assert.deepEqual(
      before.map((r) => r.state),
      ['Executing', 'Queued'],
      'the crash left the task Executing in the database (nothing else could end it)',
    );
    // The script runs in its own process group, so without its supervisor it outlives the node…
    assert.ok(isAlive(scriptPid), 'the orphaned script still runs after the node died');
    onTeardown(() => {
      killGroupIf(scriptPid, work);
    });

    node = await startShoalProcess({ dataDir, taskCap: 1, nodeName });
    // …until the node starts again and ends what its previous run left behind.
    await waitFor(() => !isAlive(scriptPid), { timeoutMs: 5000, message: 'the restarted node ended the orphaned script' });
    const c2 = client.at(node.url);
    const failed = await getTask(c2, long.id); // the first look after restart: already ended
    assert.equal(failed.state, 'Failed', node.output());
    assert.match(failed.errorMessage ?? '', new RegExp(`\\b${nodeName}\\b`), 'the reason names the node');
    assert.ok(failed.completedTime, 'completed time set');
    const executing = (await c2.get<{ items: Task[] }>('/api/tasks?state=Executing,Cancelling')).items;
    assert.ok(!executing.some((t) => t.id === long.id), 'never left Executing');

    const after = await waitForTaskState(c2, next.id, ['Success', 'Failed', 'Canceled', 'TimedOut']);
    assert.equal(after.state, 'Success', 'the task queued before the crash runs after the restart');
    assert.equal(count(await taskLog(c2, next.id), mark('after-crash')), 1);
    const nodes = await c2.get<NodeView[]>('/api/nodes');
    assert.deepEqual(
      nodes.map((n) => [n.name, n.status]),
      [[nodeName, 'Running']],
    );
    await node.stop();
  });
});
