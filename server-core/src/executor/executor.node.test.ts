/**
 * The executor inside a real node (startNode): SQLite file, storage folders, HTTP on a
 * free port, real child processes.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { nodeIdentity } from '../config/nodeIdentity.js';
import { migrateToLatest } from '../db/migrations/index.js';
import { openDatabase } from '../db/open.js';
import { OFFLINE_AFTER_MS } from '../queue/leaseTimings.js';
import { heartbeat, listNodes, nodeStatus, registerNode, updateNode } from '../nodes/registry.js';
import { requestCancel } from '../queue/cancel.js';
import { claimTasks } from '../queue/claim.js';
import { enqueueTask } from '../queue/enqueue.js';
import type { TaskResource } from '../queue/taskRecord.js';
import type { TaskKind } from './taskKind.js';
import { killQuietly, isAlive } from '../testing/processes.js';
import { makeTempDir, removeTempDirs } from '../testing/tempDir.js';
import { startTestNode, type TestNode } from '../testing/testNode.js';
import { waitFor } from '../testing/wait.js';
import { SHOAL_VERSION } from '../version.js';

const FINAL = ['Success', 'Failed', 'Canceled', 'TimedOut'];
const strayPids: number[] = [];

after(() => {
  killQuietly(strayPids);
  removeTempDirs();
});

async function queue(tn: TestNode, kind: string, args: Record<string, unknown> = {}): Promise<TaskResource> {
  const res = await tn.request({ method: 'POST', url: '/api/tasks', payload: { kind, arguments: args } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json();
}
const queueScript = (tn: TestNode, script: string) => queue(tn, 'AdHocScript', { script, syntax: 'bash' });

async function getTask(tn: TestNode, id: string): Promise<TaskResource> {
  const res = await tn.request({ method: 'GET', url: `/api/tasks/${id}` });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

const waitState = (tn: TestNode, id: string, states: string[], timeoutMs = 15_000) =>
  waitFor(async () => {
    const t = await getTask(tn, id);
    return states.includes(t.state) ? t : undefined;
  }, `${id} to reach ${states.join('/')}`, { timeoutMs });

const waitFinal = (tn: TestNode, id: string) => waitState(tn, id, FINAL);

/** A finished task's log through the API, once its final line is written, as `[level, text]` pairs. */
async function logLines(tn: TestNode, id: string): Promise<[string, string][]> {
  const body = await waitFor(async () => {
    const res = await tn.request({ method: 'GET', url: `/api/tasks/${id}/log` });
    assert.equal(res.statusCode, 200, res.body);
    // The final line follows the outcome's record by a moment.
    return /\n\S+ END {3}\S+\n$/.test(res.body) ? res.body : undefined;
  }, `${id}'s log to end`);
  return body
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const m = /^\d{4}-\d\d-\d\dT[\d:.]+Z (INFO|WARN|ERROR|END) +(.*)$/.exec(l);
      assert.ok(m, `log line has a time and a level: ${JSON.stringify(l)}`);
      return [m[1]!, m[2]!] as [string, string];
    });
}

describe('executor on a running node', () => {
  let tn: TestNode;
  before(async () => {
    tn = await startTestNode({ nodeName: 'exec-node', taskCap: 5 });
  });
  after(() => tn.stop());

  it('starts a task queued through the API at once, not on the next poll', async () => {
    // A node whose fallback poll would come only after ten minutes: each task starts because queuing woke the executor.
    const woken = await startTestNode({ nodeName: 'wake-node', taskCap: 5, extra: { wakeUpPollMs: 600_000 } });
    try {
      for (let i = 0; i < 6; i++) {
        const t = await queueScript(woken, 'true');
        const done = await waitFinal(woken, t.id);
        assert.equal(done.state, 'Success', done.errorMessage ?? '');
      }
    } finally {
      await woken.stop();
    }
  });

  it('logs every output line once: stdout as INFO, stderr as ERROR', async () => {
    const t = await queueScript(tn, [
      'echo "out one"',
      'echo "err one" >&2',
      'echo "out two"',
      'echo "err two" >&2',
      "printf 'last line without newline'",
    ].join('\n'));
    assert.equal((await waitFinal(tn, t.id)).state, 'Success');
    const lines = await logLines(tn, t.id);
    const count = (level: string, text: string) => lines.filter(([l, x]) => l === level && x === text).length;
    for (const text of ['out one', 'out two', 'last line without newline']) assert.equal(count('INFO', text), 1, `INFO ${text} once in ${JSON.stringify(lines)}`);
    for (const text of ['err one', 'err two']) assert.equal(count('ERROR', text), 1, `ERROR ${text} once in ${JSON.stringify(lines)}`);
    assert.equal(lines.filter(([, x]) => /out one|err one/.test(x)).length, 2, 'nothing is logged twice under another level');
    assert.match(lines.at(-2)![1], /ended: Success/);
    assert.deepEqual(lines.at(-1), ['END', 'Success'], 'the final line');
  });

  it('a script that exits non-zero fails with the exit code', async () => {
    const t = await queueScript(tn, 'echo before\nexit 3\necho never');
    const done = await waitFinal(tn, t.id);
    assert.equal(done.state, 'Failed');
    assert.match(done.errorMessage ?? '', /\b3\b/);
    const lines = await logLines(tn, t.id);
    assert.ok(lines.some(([l, x]) => l === 'INFO' && x === 'before'));
    assert.ok(!lines.some(([, x]) => x === 'never'));
    assert.ok(lines.some(([l, x]) => l === 'ERROR' && /exited with code 3/.test(x)), 'the reason is in the log');
  });

  it('gives the script SHOAL_TASK_ID and a SHOAL_ARTIFACTS_DIR that outlives the task', async () => {
    const t = await queueScript(tn, 'echo "id=$SHOAL_TASK_ID"\necho "artifacts=$SHOAL_ARTIFACTS_DIR"\necho kept > "$SHOAL_ARTIFACTS_DIR/report.txt"');
    assert.equal((await waitFinal(tn, t.id)).state, 'Success');
    const lines = (await logLines(tn, t.id)).map(([, x]) => x);
    assert.ok(lines.includes(`id=${t.id}`), JSON.stringify(lines));
    const dir = lines.find((x) => x.startsWith('artifacts='))?.slice('artifacts='.length);
    assert.ok(dir, 'SHOAL_ARTIFACTS_DIR is set');
    assert.equal(path.dirname(dir), path.resolve(tn.node.config.storage.artifacts));
    assert.ok(path.basename(dir).includes(t.id.replace(/\D/g, '')), `${dir} is this task's folder`);
    assert.equal(fs.readFileSync(path.join(dir, 'report.txt'), 'utf8'), 'kept\n');
  });

  it('SystemIntegrityCheck succeeds, and fails with the reason in the log when a storage path is not a folder', async () => {
    const ok = await queue(tn, 'SystemIntegrityCheck');
    assert.equal((await waitFinal(tn, ok.id)).state, 'Success');
    assert.ok((await logLines(tn, ok.id)).some(([l, x]) => l === 'INFO' && /No problems found/.test(x)));

    // Tests run as root, where chmod does not stop writes: replace the folder with a file.
    const broken = tn.node.config.storage.eventExports;
    fs.rmSync(broken, { recursive: true, force: true });
    fs.writeFileSync(broken, 'not a folder');
    try {
      const bad = await queue(tn, 'SystemIntegrityCheck');
      const done = await waitFinal(tn, bad.id);
      assert.equal(done.state, 'Failed');
      assert.match(done.errorMessage ?? '', /integrity problem/);
      const errors = (await logLines(tn, bad.id)).filter(([l]) => l === 'ERROR').map(([, x]) => x);
      assert.ok(errors.some((x) => x.includes(broken) && /eventExports/.test(x) && /not a folder/.test(x)), JSON.stringify(errors));
      assert.ok(!errors.some((x) => /packages|taskLogs/.test(x)), 'healthy paths are not reported');
    } finally {
      fs.rmSync(broken, { force: true });
      fs.mkdirSync(broken, { recursive: true });
    }
  });

  it('streams a running task\'s log live over a real socket, each line once, then the end state', async () => {
    const gate = path.join(makeTempDir('shoal-gate-'), 'open');
    const t = await queueScript(tn, [
      'echo "live one"',
      `for i in $(seq 400); do [ -f ${JSON.stringify(gate)} ] && break; sleep 0.05; done`,
      'echo "live two" >&2',
    ].join('\n'));
    const res = await fetch(`${tn.node.url}/api/tasks/${t.id}/log`, { headers: { accept: 'text/event-stream', 'x-api-key': tn.adminKey } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const readUntil = async (what: RegExp, timeoutMs = 15_000) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the stream did not show ${what} within ${timeoutMs} ms; got ${JSON.stringify(text)}`)), timeoutMs);
      });
      try {
        while (!what.test(text)) {
          const { value, done } = await Promise.race([reader.read(), timeout]);
          if (done) throw new Error(`the stream ended without ${what}; got ${JSON.stringify(text)}`);
          text += value;
        }
      } finally {
        clearTimeout(timer);
      }
    };
    await readUntil(/live one/);
    // The first line arrived while the script still waits for the gate: the log is live.
    assert.equal((await getTask(tn, t.id)).state, 'Executing');
    assert.doesNotMatch(text, /live two/);
    fs.writeFileSync(gate, '');
    await readUntil(/event: end\ndata: [^\n]*\n\n/);
    await reader.cancel();
    const data = text.split('\n').filter((l) => l.startsWith('data: '));
    assert.equal(data.filter((l) => / INFO +live one$/.test(l)).length, 1, text);
    assert.equal(data.filter((l) => / ERROR +live two$/.test(l)).length, 1, text);
    assert.deepEqual(JSON.parse(/event: end\ndata: (.*)\n/.exec(text)![1]!), { state: 'Success' });
  });

  it('cancel kills the whole process tree; the task passes through Cancelling to Canceled', async () => {
    const pidFile = path.join(makeTempDir('shoal-pids-'), 'pids');
    const script = [
      `F=${JSON.stringify(pidFile)}`,
      'echo $$ >> "$F"',
      'sleep 1000 & echo $! >> "$F"',
      '(sleep 1000 & echo $! >> "$F")', // orphaned at once: only the process group still reaches it
      `bash -c 'sleep 1000 & echo $! >> "$1"; sleep 1000 & echo $! >> "$1"; wait' grandchildren "$F" & echo $! >> "$F"`,
      'setsid sleep 1000 & echo $! >> "$F"', // left the process group
      'sleep 1000 & echo $! >> "$F"',
      'echo started',
      'wait',
    ].join('\n');
    const t = await queueScript(tn, script);
    const pids = await waitFor(() => {
      const list = fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).map(Number) : [];
      return list.length === 8 ? list : undefined;
    }, 'the script to record 8 PIDs');
    strayPids.push(...pids);
    assert.deepEqual(pids.filter((p) => !isAlive(p)), [], 'every process runs before the cancel');
    assert.equal((await getTask(tn, t.id)).state, 'Executing');

    const res = await tn.request({ method: 'POST', url: `/api/tasks/${t.id}/cancel` });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().state, 'Cancelling');

    await waitFor(() => pids.every((p) => !isAlive(p)), `processes ${pids.join(' ')} to end`, { timeoutMs: 10_000 }).catch((err) => {
      throw new Error(`${(err as Error).message}; still running: ${pids.filter(isAlive).join(' ')}`);
    });
    const done = await waitFinal(tn, t.id);
    assert.equal(done.state, 'Canceled');
    assert.match(done.errorMessage ?? '', /Canceled by admin/);
    assert.ok(done.completedTime);
  });
});

describe('node lifecycle', () => {
  it('a restarted node ends the tasks it had when it died, naming itself, and then runs new work', async () => {
    const dataDir = makeTempDir('shoal-crash-');
    // What a node that died left behind: an Executing and a Cancelling task in its name.
    const shoal = await openDatabase(path.join(dataDir, 'shoal.db'));
    let executing: number;
    let cancelling: number;
    let queued: number;
    try {
      await migrateToLatest(shoal);
      // The same data dir, so the same identity: its restart is welcome at once.
      await registerNode(shoal, { name: 'crashy', nodeId: nodeIdentity(dataDir), version: SHOAL_VERSION, url: 'http://127.0.0.1:1', taskCap: 2 });
      executing = Number((await enqueueTask(shoal, { kind: 'AdHocScript', description: 'was running', arguments: { script: 'sleep 1000' } })).id);
      cancelling = Number((await enqueueTask(shoal, { kind: 'AdHocScript', description: 'was cancelling', arguments: { script: 'sleep 1000' } })).id);
      assert.equal((await claimTasks(shoal, { nodeName: 'crashy', nodeId: nodeIdentity(dataDir), token: 'lost-token' })).length, 2);
      await requestCancel(shoal, cancelling, 'user asked');
      queued = Number((await enqueueTask(shoal, { kind: 'AdHocScript', description: 'still queued', arguments: { script: 'echo hi' } })).id);
    } finally {
      await shoal.close();
    }

    const tn = await startTestNode({ dataDir, nodeName: 'crashy' });
    try {
      const e = await getTask(tn, `ServerTasks-${executing}`);
      assert.equal(e.state, 'Failed');
      assert.match(e.errorMessage ?? '', /crashy/);
      assert.match(e.errorMessage ?? '', /stopped unexpectedly/);
      const c = await getTask(tn, `ServerTasks-${cancelling}`);
      assert.equal(c.state, 'Canceled');
      assert.match(c.errorMessage ?? '', /crashy/);
      assert.equal((await waitFinal(tn, `ServerTasks-${queued}`)).state, 'Success', 'queued work still runs');
    } finally {
      await tn.stop();
    }
  });

  it('a running node ends the tasks of another node that went silent, on its heartbeat', async () => {
    const tn = await startTestNode({ nodeName: 'watcher', heartbeatMs: 100 });
    try {
      const shoal = tn.node.shoal;
      await registerNode(shoal, { name: 'ghost', nodeId: 'ghost', version: SHOAL_VERSION, url: 'http://ghost:8050', taskCap: 1 });
      await updateNode(shoal, 'watcher', { taskCap: 0 }); // keep the task for the ghost
      const id = Number((await enqueueTask(shoal, { kind: 'AdHocScript', description: 'ghost work', arguments: { script: 'true' } })).id);
      assert.equal(await heartbeat(shoal, 'ghost', 'ghost'), true);
      assert.equal((await claimTasks(shoal, { nodeName: 'ghost', nodeId: 'ghost', token: 'ghost-token' })).length, 1);
      // Silent for longer than the offline threshold, by the database clock.
      await shoal.db.updateTable('nodes').set({ last_seen: sql<number>`${shoal.dialect.now()} - ${OFFLINE_AFTER_MS + 1000}` }).where('name', '=', 'ghost').execute();
      const ended = await waitFor(async () => {
        const t = await getTask(tn, `ServerTasks-${id}`);
        return t.state === 'Executing' ? undefined : t;
      }, 'the watcher to sweep the ghost');
      assert.equal(ended.state, 'Failed');
      assert.match(ended.errorMessage ?? '', /ghost went offline/);
      const ghost = (await tn.request({ method: 'GET', url: '/api/nodes/ghost' })).json();
      assert.equal(ghost.status, 'Offline');
    } finally {
      await tn.stop();
    }
  });

  it('stop() cancels running tasks with the reason, kills them and marks the node Offline', async () => {
    const tn = await startTestNode({ nodeName: 'stopper', taskCap: 2 });
    const pidFile = path.join(makeTempDir('shoal-pids-'), 'pids');
    const running = [
      await queueScript(tn, `sleep 1000 & echo $! >> ${JSON.stringify(pidFile)}\nwait`),
      await queueScript(tn, `sleep 1000 & echo $! >> ${JSON.stringify(pidFile)}\nwait`),
    ];
    const waiting = await queueScript(tn, 'echo never');
    const pids = await waitFor(() => {
      const list = fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).map(Number) : [];
      return list.length === 2 ? list : undefined;
    }, 'both tasks to start');
    strayPids.push(...pids);
    const dbFile = tn.node.config.databaseUrl;

    await tn.stop('Node stopper shut down for maintenance.');

    assert.deepEqual(pids.filter(isAlive), [], 'the task processes are gone once stop() resolves');
    const shoal = await openDatabase(dbFile);
    try {
      for (const t of running) {
        const row = await shoal.db.selectFrom('tasks').selectAll().where('id', '=', Number(t.id.replace(/\D/g, ''))).executeTakeFirstOrThrow();
        assert.equal(row.state, 'Canceled');
        assert.equal(row.error_message, 'Node stopper shut down for maintenance.');
      }
      const w = await shoal.db.selectFrom('tasks').select('state').where('id', '=', Number(waiting.id.replace(/\D/g, ''))).executeTakeFirstOrThrow();
      assert.equal(w.state, 'Queued', 'a stopping node starts nothing new');
      const [n] = await listNodes(shoal, 'stopper');
      assert.ok(n?.stopped_at != null);
      assert.equal(nodeStatus(n, SHOAL_VERSION), 'Offline');
    } finally {
      await shoal.close();
    }
  });
});

describe('task logs of short tasks', () => {
  let tn: TestNode;
  /** Logs `lines` lines (of `width` characters) and ends at once. */
  const quick: TaskKind = {
    name: 'TestQuickLog',
    permission: 'read',
    parseArguments: () => ({ description: 'quick' }),
    run: async (ctx) => {
      const { lines, width } = ctx.args as { lines: number; width: number };
      for (let i = 0; i < lines; i++) ctx.log.info(`line ${i} ${'x'.repeat(width)}`);
    },
  };
  before(async () => {
    tn = await startTestNode({ nodeName: 'short-node', taskCap: 5, extra: { extraKinds: [quick] } });
  });
  after(() => tn.stop());

  const logFile = (id: string) => path.join(tn.node.config.storage.taskLogs, `${id}.log`);
  const get = async (url: string) => {
    const res = await tn.request({ method: 'GET', url });
    assert.equal(res.statusCode, 200, res.body);
    return res;
  };
  /** The log as each reader gives it: plain text, the live stream, the details tree and Octopus's raw text. */
  async function readers(id: string) {
    const sse = await fetch(`${tn.node.url}/api/tasks/${id}/log`, { headers: { accept: 'text/event-stream', 'x-api-key': tn.adminKey } });
    const events = await sse.text();
    return {
      plain: (await get(`/api/tasks/${id}/log`)).body,
      streamed: events.split('\n').filter((l) => l.startsWith('data: ') && !l.startsWith('data: {')).map((l) => l.slice('data: '.length)),
      end: JSON.parse(/event: end\ndata: (.*)\n/.exec(events)?.[1] ?? 'null'),
      details: (await get(`/api/tasks/${id}/details`)).json().lines.map((l: { text: string }) => l.text),
      raw: (await get(`/api/tasks/${id}/raw`)).body,
    };
  }

  it("keeps a short task's whole log in the database with its outcome: no file, and every reader has it", async () => {
    const t = await queue(tn, 'TestQuickLog', { lines: 3, width: 10 });
    assert.equal((await waitFinal(tn, t.id)).state, 'Success');
    assert.equal(fs.existsSync(logFile(t.id)), false, 'no file for a short task');
    const r = await readers(t.id);
    const lines = r.plain.split('\n').filter(Boolean);
    assert.match(lines[0]!, new RegExp(`INFO  Task ${t.id} \\(TestQuickLog\\) started`));
    assert.deepEqual(lines.slice(1, 4).map((l) => l.replace(/^\S+ INFO  /, '')), ['line 0 xxxxxxxxxx', 'line 1 xxxxxxxxxx', 'line 2 xxxxxxxxxx']);
    assert.match(lines[4]!, new RegExp(`INFO  Task ${t.id} ended: Success$`));
    assert.match(lines[5]!, /^\S+ END {3}Success$/, 'the final line');
    assert.equal(lines.length, 6);
    assert.equal(r.raw, r.plain);
    assert.deepEqual(r.streamed, lines.slice(0, 5), 'the live stream: every line once, then the end');
    assert.deepEqual(r.end, { state: 'Success' });
    assert.deepEqual(r.details, lines.slice(0, 5).map((l) => l.replace(/^\S+ \S+ +/, '')));
    const ranged = await tn.request({ method: 'GET', url: `/api/tasks/${t.id}/log`, headers: { range: 'bytes=0-9' } });
    assert.equal(ranged.statusCode, 206);
    assert.equal(ranged.body, r.plain.slice(0, 10));
  });

  it('writes a log too long to keep in the database to its file, read the same way', async () => {
    const t = await queue(tn, 'TestQuickLog', { lines: 40, width: 1000 });
    assert.equal((await waitFinal(tn, t.id)).state, 'Success');
    await waitFor(async () => /END {3}Success\n$/.test(fs.readFileSync(logFile(t.id), 'utf8')) || undefined, `${t.id}'s file to end`);
    const r = await readers(t.id);
    assert.equal(r.plain, fs.readFileSync(logFile(t.id), 'utf8'));
    assert.equal(r.streamed.length, 42);
    assert.deepEqual(r.end, { state: 'Success' });
  });

  it('fails a short task with the reason when the task-log folder is missing, as a long one', async () => {
    const folder = tn.node.config.storage.taskLogs;
    fs.renameSync(folder, `${folder}.away`);
    try {
      const t = await queue(tn, 'TestQuickLog', { lines: 1, width: 1 });
      const done = await waitFinal(tn, t.id);
      assert.equal(done.state, 'Failed');
      assert.match(done.errorMessage ?? '', /task log storage failed at .*ENOENT/);
    } finally {
      fs.renameSync(`${folder}.away`, folder);
    }
  });
});
