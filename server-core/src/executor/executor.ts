import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { recordArtifacts } from '../artifacts/artifacts.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { LogStorageCheck } from '../logs/logStorageCheck.js';
import { taskLogPath, TaskLogWriter, type LogLevel } from '../logs/taskLog.js';
import type { Lease } from '../nodes/lease.js';
import { claimTasks } from '../queue/claim.js';
import { completeTask } from '../queue/complete.js';
import { expireQueuedTasks } from '../queue/expire.js';
import { HEARTBEAT_INTERVAL_MS, LEASE_STATEMENT_TIMEOUT_MS } from '../queue/leaseTimings.js';
import { getTask } from '../queue/list.js';
import { notifyQueueChanged } from '../queue/notify.js';
import { releaseLostClaim } from '../queue/releaseClaim.js';
import { taskId, type TaskRow } from '../queue/taskRecord.js';
import type { StoragePaths } from '../storage/paths.js';
import { Completions } from './completions.js';
import type { Outbox, PendingOutcome } from './outbox.js';
import type { RunAsUser } from './runAsUser.js';
import { TaskStop, type TaskKindRegistry } from './taskKind.js';

export interface ExecutorOptions {
  /** Long work: what task kinds use. */
  shoal: ShoalDb;
  /** Lease paths (claim, complete, cancels seen): statements that end within the fence. */
  leaseDb: ShoalDb;
  nodeName: string;
  nodeId: string;
  serverUrl: string;
  storage: StoragePaths;
  workRoot: string;
  /** Scripts run as this account (`builtInWorkerRunAs`). */
  runAs?: RunAsUser;
  kinds: TaskKindRegistry;
  logger: Logger;
  lease: Lease;
  outbox: Outbox;
  /** Stamps task log lines with the cluster's time (epoch milliseconds). */
  clock?: () => number;
  /** Fallback poll for work queued elsewhere, remote cancels and expiry. */
  pollMs?: number;
}

interface RunningTask {
  row: TaskRow;
  token: string;
  abort: AbortController;
  done: Promise<void>;
}

/** Longest wait between two reads of the running tasks' states (remote cancels), while some run. */
const CANCEL_CHECK_MS = 200;

/** The largest log kept whole in the database with its task's outcome; a longer one stays a file. */
export const WHOLE_LOG_MAX_BYTES = 16 * 1024;

/** The line a task log ends with when its outcome was recorded as it is. */
const endingOf = (o: PendingOutcome): { level: LogLevel; line: string } => ({
  level: o.state === 'Success' ? 'INFO' : 'ERROR',
  line: `Task ${taskId(o.taskId)} ended: ${o.state}`,
});

/** Makes the folder if it is missing; returns it. */
function made(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Whether the kind stopped because of the abort (rather than failing or finishing on its own). */
function stoppedBy(signal: AbortSignal, err: unknown): TaskStop | undefined {
  if (!signal.aborted) return undefined;
  const reason = signal.reason as TaskStop;
  return err === reason || (err as { cause?: unknown })?.cause === reason ? reason : undefined;
}

/** How long a claim whose answer was lost may still commit on the server: its two statements (lock, claim), each up to the timeout, and a margin. */
const LOST_CLAIM_WINDOW_MS = 3 * LEASE_STATEMENT_TIMEOUT_MS;

/**
 * Claims tasks from the durable queue and runs them, up to the node's cap, only while the
 * node holds its lease. Wakes at once when `wake()` is called (a task queued or finished
 * here), and polls as a fallback. It never throws into the node: an outcome that cannot be
 * recorded goes to the outbox and is replayed when the database is back.
 */
export class Executor {
  private readonly running = new Map<number, RunningTask>();
  private timer: NodeJS.Timeout | undefined;
  private cycle: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  /**
   * Tokens of claims that failed on the way back (performance.now() of the failure): the
   * database may have committed them, or may still commit them after the node gave up.
   */
  private readonly lostClaims = new Map<string, number>();
  /** When queued tasks were last checked for expiry (Date.now()); at most once per poll interval. */
  private lastExpiry = 0;
  /** When the lease was last renewed (performance.now()). */
  private lastRenewal: number | undefined;
  /** When this node last read the states of its running tasks (performance.now()). */
  private lastCancelCheck = -Infinity;
  private readonly completions: Completions;
  private readonly logStorage: LogStorageCheck;

  constructor(private readonly o: ExecutorOptions) {
    this.completions = new Completions(o.leaseDb);
    this.logStorage = new LogStorageCheck(() => o.storage.taskLogs);
    o.lease.on('fenced', (why) => {
      const message =
        why === 'removed'
          ? `Node ${o.nodeName} is no longer registered in the cluster and stopped the task.`
          : `Node ${o.nodeName} lost contact with the database (no heartbeat for ${(o.lease.sinceRenewalMs() / 1000).toFixed(1)} s) and stopped the task.`;
      for (const id of this.runningIds()) this.stopTask(id, new TaskStop(message, 'Failed', true));
    });
    o.lease.on('renewed', () => {
      // The claim also checks the heartbeat in the database: after a late (or the first)
      // heartbeat, a claim a moment ago may have found no slots. Claim again now.
      const now = performance.now();
      const late = this.lastRenewal === undefined || now - this.lastRenewal > 2 * HEARTBEAT_INTERVAL_MS;
      this.lastRenewal = now;
      if (o.outbox.size || late) this.wake();
    });
  }

  get runningCount(): number {
    return this.running.size;
  }

  runningIds(): number[] {
    return [...this.running.keys()];
  }

  start(): void {
    this.wake();
  }

  /** The queue changed here (task queued, node changed): wake this node and tell the others. */
  queueChanged(): void {
    this.wake();
    notifyQueueChanged(this.o.shoal).catch((err) => this.o.logger.warn({ err: (err as Error).message }, 'could not notify other nodes'));
  }

  /** Runs a claim cycle now, or right after the one in progress. */
  wake(): void {
    if (this.stopped) return;
    if (this.cycle) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.cycle = this.runCycle()
      .catch((err) => this.o.logger.warn({ err: (err as Error).message }, 'task queue cycle failed'))
      .finally(() => {
        this.cycle = undefined;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.wake();
        } else {
          this.timer = setTimeout(() => this.wake(), this.o.pollMs ?? 1000);
        }
      });
  }

  private async runCycle(): Promise<void> {
    if (!this.o.lease.check()) return;
    if (this.o.outbox.size) await this.replayOutbox();
    for (const [token, lostAt] of this.lostClaims) {
      const released = await releaseLostClaim(this.o.leaseDb, token);
      if (released) this.o.logger.warn({ released }, 'put back tasks of a claim whose answer was lost');
      // Tried again each cycle until the claim can no longer commit: each of its statements
      // runs at most the lease statement timeout on the server, its lock wait included.
      if (released || performance.now() - lostAt > LOST_CLAIM_WINDOW_MS) this.lostClaims.delete(token);
    }
    await this.observeRemoteCancels();
    // Expiry reads every queued task, so not on each wake-up: the claim already skips expired
    // tasks, and marking them TimedOut can wait for the next poll interval.
    if (Date.now() - this.lastExpiry >= (this.o.pollMs ?? 1000)) {
      this.lastExpiry = Date.now();
      await expireQueuedTasks(this.o.leaseDb);
    }
    if (this.stopped || !this.o.lease.check()) return;
    const token = crypto.randomUUID();
    let claimed: TaskRow[];
    try {
      claimed = await claimTasks(this.o.leaseDb, { nodeName: this.o.nodeName, nodeId: this.o.nodeId, token });
    } catch (err) {
      this.lostClaims.set(token, performance.now());
      throw err;
    }
    // The lease may have run out while the claim was in flight (a freeze): then the tasks
    // must not start here, and are ended at once rather than left Executing.
    const lateBy = this.o.lease.check() ? undefined : `Node ${this.o.nodeName} lost its lease while claiming the task; it was not started.`;
    for (const row of claimed) {
      if (lateBy) await this.record({ taskId: Number(row.id), token, state: 'Failed', message: lateBy });
      else this.launch(row, token);
    }
  }

  /**
   * Tasks of this node that someone set to Cancelling through another node. Read at most
   * every CANCEL_CHECK_MS: a busy node wakes for every task that ends, and a cancel may wait
   * that long (the fallback poll is longer).
   */
  private async observeRemoteCancels(): Promise<void> {
    const ids = this.runningIds();
    if (!ids.length || performance.now() - this.lastCancelCheck < CANCEL_CHECK_MS) return;
    this.lastCancelCheck = performance.now();
    const rows = await this.o.leaseDb.db.selectFrom('tasks').select(['id', 'state']).where('id', 'in', ids).execute();
    for (const r of rows) if (r.state !== 'Executing') this.cancelLocal(Number(r.id), 'The task was canceled.');
  }

  /** Stops a task this node runs. Returns false when it does not run here. */
  cancelLocal(id: number, message: string, state: 'Canceled' | 'Failed' = 'Canceled'): boolean {
    return this.stopTask(id, new TaskStop(message, state));
  }

  private stopTask(id: number, why: TaskStop): boolean {
    const task = this.running.get(id);
    if (!task) return false;
    task.abort.abort(why); // a second stop keeps the first reason
    return true;
  }

  private launch(row: TaskRow, token: string): void {
    const id = Number(row.id);
    const abort = new AbortController();
    const task: RunningTask = { row, token, abort, done: Promise.resolve() };
    this.running.set(id, task);
    task.done = this.execute(task)
      .catch((err) => this.o.logger.error({ err, task: taskId(id) }, 'task execution failed unexpectedly'))
      .finally(() => {
        this.running.delete(id);
        // A freed slot or concurrency tag may let this node or another one start the next task.
        if (row.concurrency_tag) this.queueChanged();
        else this.wake();
      });
  }

  private openLog(name: string): TaskLogWriter {
    return new TaskLogWriter(taskLogPath(this.o.storage.taskLogs, name), { clock: this.o.clock });
  }

  private async execute(task: RunningTask): Promise<void> {
    const { row, token } = task;
    const id = Number(row.id);
    const name = taskId(id);
    const log = this.openLog(name);
    // A log that cannot be written (a full disk, a stalled share) stops the task with the
    // reason; the node carries on.
    log.onFailure((err) => this.cancelLocal(id, err.message, 'Failed'));
    const signal = task.abort.signal;
    let outcome: PendingOutcome = { taskId: id, token, state: 'Success', message: null };
    const workDir = path.join(this.o.workRoot, name);
    const artifactsDir = path.join(this.o.storage.artifacts, name);
    let workDirUsed = false;
    let artifactsUsed = false;
    try {
      log.info(`Task ${name} (${row.kind}) started on node ${this.o.nodeName}`);
      const kind = this.o.kinds.get(row.kind);
      if (!kind) throw new Error(`Node ${this.o.nodeName} cannot run tasks of kind ${row.kind}.`);
      await kind.run({
        taskId: name,
        args: JSON.parse(row.arguments) as Record<string, unknown>,
        log,
        signal,
        lease: this.o.lease,
        // Made when the kind first asks for them: a folder costs a journaled metadata write
        // (a network round trip on shared storage), and most kinds but scripts never look.
        get workDir() {
          workDirUsed = true;
          return made(workDir);
        },
        // Not made here: the kind makes the task's folder without its parents, so a
        // storage folder that is missing (a share that did not mount) fails the task.
        get artifactsDir() {
          artifactsUsed = true;
          return artifactsDir;
        },
        storage: this.o.storage,
        shoal: this.o.shoal,
        nodeName: this.o.nodeName,
        serverUrl: this.o.serverUrl,
        runAs: this.o.runAs,
        logger: this.o.logger,
      });
      if (signal.aborted) log.info(`The stop request (${(signal.reason as Error).message}) came after the task had finished; its own outcome stands.`);
    } catch (err) {
      const stop = stoppedBy(signal, err);
      outcome = { ...outcome, state: stop?.state ?? 'Failed', message: stop?.message ?? (err as Error)?.message ?? String(err) };
      log.error(outcome.message!);
    } finally {
      try {
        if (workDirUsed) fs.rmSync(workDir, { recursive: true, force: true });
      } catch (err) {
        this.o.logger.warn({ err: (err as Error).message, task: name }, 'could not remove the work folder');
      }
      // The list other nodes read by name (a share's directory listing can be stale).
      if (artifactsUsed) await recordArtifacts(artifactsDir).catch((err) => log.warn(`Could not record the task's artifacts: ${(err as Error).message}`));
    }
    // A short task's whole log goes to the database with its outcome: a new file per task
    // costs more than the rest of a short task together. Only while the task-log folder
    // takes writes, so a missing share or a full disk fails short tasks as it fails others.
    const ending = endingOf(outcome);
    let whole = log.wholeText(ending.level, ending.line, outcome.state, WHOLE_LOG_MAX_BYTES);
    if (whole !== undefined && !(await this.logStorage.usable())) whole = undefined;
    if (whole === undefined) {
      // What was written is stored, or the log has failed: a log that could not be stored
      // fails a task that otherwise succeeded.
      await log.flush();
      if (log.failure && outcome.state === 'Success') outcome = { ...outcome, state: 'Failed', message: log.failure.message };
    }
    await this.record(outcome, log, whole);
  }

  /**
   * Records the outcome while the lease holds; otherwise (or when the database does not
   * answer) keeps it in the outbox. The task log's last lines say what the database holds;
   * an outcome kept in the outbox leaves the log open-ended (no final line) until its replay.
   * A `whole` log (ending included) is stored with the outcome, or else written as usual.
   */
  private async record(outcome: PendingOutcome, log?: TaskLogWriter, whole?: string): Promise<void> {
    if (this.o.lease.check()) {
      try {
        const accepted = await this.completions.record(outcome, whole);
        if (accepted && whole !== undefined) return log!.discard();
        await this.finish(outcome, accepted, log);
        return;
      } catch (err) {
        this.o.logger.warn({ err: (err as Error).message, task: taskId(outcome.taskId) }, 'could not record the outcome; kept in the outbox');
      }
    }
    await log?.close();
    try {
      this.o.outbox.add(outcome);
    } catch (err) {
      this.o.logger.error({ err: (err as Error).message, task: taskId(outcome.taskId), outcome }, 'could not keep the outcome in the outbox either');
    }
  }

  /**
   * Replays the outbox, oldest first, while the lease holds; stops at the first outcome the
   * database does not answer for. Also called at start, for what an earlier run kept.
   */
  async replayOutbox(): Promise<void> {
    for (const entry of this.o.outbox.list()) {
      if (!this.o.lease.check()) return;
      const accepted = await completeTask(this.o.leaseDb, entry.taskId, entry.token, entry.state, entry.message);
      this.o.outbox.remove(entry);
      await this.finish(entry, accepted);
    }
  }

  /**
   * The task log's last lines: how the task ended as the database holds it, then the final
   * line (`END <state>`) readers stop at. Written through the task's own log while it is
   * open, or appended by a new writer (an outcome replayed from the outbox).
   */
  private async finish(outcome: PendingOutcome, recorded: boolean, log = this.openLog(taskId(outcome.taskId))): Promise<void> {
    const name = taskId(outcome.taskId);
    let { level, line } = endingOf(outcome);
    let accepted = recorded;
    const now = accepted ? undefined : await getTask(this.o.leaseDb, outcome.taskId).catch(() => undefined);
    // Recorded by an earlier try whose answer was lost: the database holds this very outcome
    // (and the whole log, when it went with it).
    if (now && now.claim_token === outcome.token && now.state === outcome.state && now.error_message === outcome.message) {
      if (now.log_text !== null) return log.discard();
      accepted = true;
    }
    if (!accepted) {
      this.o.logger.warn({ task: name, outcome: outcome.state, recorded: now?.state }, 'stale outcome refused: the cluster had already ended the task');
      level = 'ERROR';
      line = `Task ${name} ended: ${now?.state ?? 'unknown'} (this node's result, ${outcome.state}, came after the cluster had ended it${now?.error_message ? `: ${now.error_message}` : ''})`;
    }
    log.write(level, line);
    await log.close(accepted ? outcome.state : (now?.state ?? 'Unknown'));
    if (log.failure) this.o.logger.warn({ task: name, err: log.failure.message }, 'could not write the last lines of the task log');
  }

  /** Stops claiming, ends running tasks with the reason, and waits for them (bounded). */
  async stop(reason: string, timeoutMs = 8000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.cycle;
    const all = [...this.running.values()];
    for (const t of all) this.cancelLocal(Number(t.row.id), reason);
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(all.map((t) => t.done)), new Promise((r) => (bound = setTimeout(r, timeoutMs)))]);
    clearTimeout(bound);
  }

}
