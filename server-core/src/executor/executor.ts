import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { recordArtifacts } from '../artifacts/artifacts.js';
import { taskLogPath, TaskLogWriter } from '../logs/taskLog.js';
import { claimTasks } from '../queue/claim.js';
import { completeTask } from '../queue/complete.js';
import { expireQueuedTasks } from '../queue/expire.js';
import { notifyQueueChanged } from '../queue/notify.js';
import { taskId, type TaskRow } from '../queue/taskRecord.js';
import type { StoragePaths } from '../storage/paths.js';
import type { TaskKindRegistry } from './taskKind.js';

export interface ExecutorOptions {
  shoal: ShoalDb;
  nodeName: string;
  serverUrl: string;
  storage: StoragePaths;
  workRoot: string;
  kinds: TaskKindRegistry;
  logger: Logger;
  /** Fallback poll for work queued elsewhere, remote cancels and expiry. */
  pollMs?: number;
}

interface RunningTask {
  row: TaskRow;
  token: string;
  abort: AbortController;
  /** Why the task is being stopped; decides the final state. */
  stopReason?: { state: 'Canceled' | 'Failed'; message: string };
  done: Promise<void>;
}

/** Makes the folder if it is missing; returns it. */
function made(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Claims tasks from the durable queue and runs them, up to the node's cap. Wakes at once
 * when `wake()` is called (a task queued or finished here), and polls as a fallback.
 */
export class Executor {
  private readonly running = new Map<number, RunningTask>();
  private timer: NodeJS.Timeout | undefined;
  private cycle: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  /** Off while the node cannot prove it is alive (fencing); no new claims. */
  private claiming = true;
  /** When queued tasks were last checked for expiry (Date.now()); at most once per poll interval. */
  private lastExpiry = 0;

  constructor(private readonly o: ExecutorOptions) {}

  get runningCount(): number {
    return this.running.size;
  }

  runningIds(): number[] {
    return [...this.running.keys()];
  }

  start(): void {
    this.wake();
  }

  setClaiming(on: boolean): void {
    this.claiming = on;
    if (on) this.wake();
  }

  /** The queue changed here (task queued, node changed): wake this node and tell the others. */
  queueChanged(): void {
    this.wake();
    notifyQueueChanged(this.o.shoal).catch((err) => this.o.logger.warn({ err }, 'could not notify other nodes'));
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
      .catch((err) => this.o.logger.warn({ err }, 'task queue cycle failed'))
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
    await this.observeRemoteCancels();
    // Expiry reads every queued task, so not on each wake-up: the claim already skips expired
    // tasks, and marking them TimedOut can wait for the next poll interval.
    if (Date.now() - this.lastExpiry >= (this.o.pollMs ?? 1000)) {
      this.lastExpiry = Date.now();
      await expireQueuedTasks(this.o.shoal);
    }
    if (!this.claiming) return;
    const token = crypto.randomUUID();
    const claimed = await claimTasks(this.o.shoal, this.o.nodeName, token);
    for (const row of claimed) this.launch(row, token);
  }

  /** Tasks of this node that someone set to Cancelling through another node. */
  private async observeRemoteCancels(): Promise<void> {
    const ids = this.runningIds();
    if (!ids.length) return;
    const rows = await this.o.shoal.db.selectFrom('tasks').select(['id', 'state']).where('id', 'in', ids).execute();
    for (const r of rows) if (r.state !== 'Executing') this.cancelLocal(Number(r.id), 'The task was canceled.');
  }

  /** Stops a task this node runs. Returns false when it does not run here. */
  cancelLocal(id: number, message: string, state: 'Canceled' | 'Failed' = 'Canceled'): boolean {
    const task = this.running.get(id);
    if (!task) return false;
    if (!task.stopReason) task.stopReason = { state, message };
    task.abort.abort(new Error(message));
    return true;
  }

  private launch(row: TaskRow, token: string): void {
    const id = Number(row.id);
    const abort = new AbortController();
    const task: RunningTask = { row, token, abort, done: Promise.resolve() };
    this.running.set(id, task);
    task.done = this.execute(task).finally(() => {
      this.running.delete(id);
      // A freed slot or concurrency tag may let this node or another one start the next task.
      if (row.concurrency_tag) this.queueChanged();
      else this.wake();
    });
  }

  private async execute(task: RunningTask): Promise<void> {
    const { row, token } = task;
    const id = Number(row.id);
    const name = taskId(id);
    const log = new TaskLogWriter(taskLogPath(this.o.storage.taskLogs, name));
    // A log that cannot be written (a full disk, a stalled share) fails the task with the reason.
    log.onFailure((err) => this.cancelLocal(id, err.message, 'Failed'));
    let artifactsUsed = false;
    let state: 'Success' | 'Failed' | 'Canceled' = 'Success';
    let message: string | null = null;
    const workDir = path.join(this.o.workRoot, name);
    try {
      log.info(`Task ${name} (${row.kind}) started on node ${this.o.nodeName}`);
      const kind = this.o.kinds.get(row.kind);
      if (!kind) throw new Error(`Node ${this.o.nodeName} cannot run tasks of kind ${row.kind}.`);
      const artifactsDir = path.join(this.o.storage.artifacts, name);
      await kind.run({
        taskId: name,
        args: JSON.parse(row.arguments) as Record<string, unknown>,
        log,
        signal: task.abort.signal,
        // Made when the kind first asks for them: a folder costs a journaled metadata write
        // (a network round trip on shared storage), and most kinds but scripts never look.
        get workDir() {
          return made(workDir);
        },
        get artifactsDir() {
          artifactsUsed = true;
          return artifactsDir;
        },
        storage: this.o.storage,
        shoal: this.o.shoal,
        nodeName: this.o.nodeName,
        serverUrl: this.o.serverUrl,
      });
    } catch (err) {
      state = task.stopReason?.state ?? 'Failed';
      message = task.stopReason?.message ?? (err as Error).message ?? String(err);
      log.error(message);
    } finally {
      fs.rmSync(workDir, { recursive: true, force: true });
      if (artifactsUsed) await recordArtifacts(path.join(this.o.storage.artifacts, name)).catch((err) => log.warn(`Could not record the task's artifacts: ${(err as Error).message}`));
    }
    if (state === 'Success' && task.stopReason) {
      state = task.stopReason.state;
      message = task.stopReason.message;
    }
    log.info(`Task ${name} ended: ${state}`);
    await log.close(state);
    // A log that could not be stored fails a task that otherwise succeeded.
    if (log.failure && state === 'Success') {
      state = 'Failed';
      message = log.failure.message;
    }
    const recorded = await this.recordOutcome(id, token, state, message);
    if (!recorded) this.o.logger.warn({ task: name }, 'task outcome not recorded: this node no longer holds its claim');
  }

  private async recordOutcome(id: number, token: string, state: 'Success' | 'Failed' | 'Canceled', message: string | null) {
    // The database may be briefly unreachable; try for a while before giving up.
    for (let attempt = 0; ; attempt++) {
      try {
        return await completeTask(this.o.shoal, id, token, state, message);
      } catch (err) {
        if (attempt >= 20 || this.stopped) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
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
