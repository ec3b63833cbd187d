import { taskLogPath, TaskLogWriter } from '../logs/taskLog.js';

/** What a task kind writes to: lines of its log. */
export interface TaskLog {
  info(text: string): void;
  error(text: string): void;
}

/**
 * A task's log that never throws into the executor: when the log cannot be opened or
 * written (a full disk, a lost share), the first failure is kept and the task ends Failed
 * with it, while the node carries on.
 */
export class GuardedTaskLog implements TaskLog {
  private writer: TaskLogWriter | undefined;
  failure: string | undefined;

  constructor(taskLogsDir: string, taskName: string, now?: () => Date) {
    try {
      this.writer = new TaskLogWriter(taskLogPath(taskLogsDir, taskName), now);
    } catch (err) {
      this.fail(err);
    }
  }

  info(text: string): void {
    this.guard((w) => w.info(text));
  }

  error(text: string): void {
    this.guard((w) => w.error(text));
  }

  close(): void {
    this.guard((w) => w.close());
    this.writer = undefined;
  }

  private guard(write: (w: TaskLogWriter) => void): void {
    if (!this.writer) return;
    try {
      write(this.writer);
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    this.failure ??= `The task log could not be written: ${(err as Error).message ?? err}`;
  }
}

/** Appends one line to a task's log after the task ended (its last line), never throwing. */
export function appendToTaskLog(taskLogsDir: string, taskName: string, now: () => Date, line: (log: TaskLog) => void): string | undefined {
  const log = new GuardedTaskLog(taskLogsDir, taskName, now);
  line(log);
  log.close();
  return log.failure;
}
