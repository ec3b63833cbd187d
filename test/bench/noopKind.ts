import type { TaskKind } from '../../server-core/src/executor/taskKind.js';

export const NOOP_KIND = 'BenchNoop';

/**
 * A task kind only the benchmark registers: it does nothing but note when it started,
 * so what is measured is the queue and executor, not the work.
 */
export class NoopKind {
  /** performance.now() at which each task's run began, by task id (ServerTasks-N). */
  readonly started = new Map<string, number>();
  private waiters = new Map<string, (at: number) => void>();
  private onCount: { n: number; resolve: () => void } | undefined;

  readonly kind: TaskKind = {
    name: NOOP_KIND,
    permission: 'read',
    parseArguments: () => ({ description: 'benchmark no-op' }),
    run: async (ctx) => {
      const at = performance.now();
      this.started.set(ctx.taskId, at);
      this.waiters.get(ctx.taskId)?.(at);
      this.waiters.delete(ctx.taskId);
      if (this.onCount && this.started.size >= this.onCount.n) this.onCount.resolve();
    },
  };

  /** Resolves with the start time of the task, at once if it already started. */
  startOf(taskId: string, timeoutMs = 10_000): Promise<number> {
    const at = this.started.get(taskId);
    if (at !== undefined) return Promise.resolve(at);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${taskId} did not start within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.set(taskId, (t) => {
        clearTimeout(timer);
        resolve(t);
      });
    });
  }

  /** Resolves once `n` tasks have started in total. */
  untilStarted(n: number): Promise<void> {
    if (this.started.size >= n) return Promise.resolve();
    return new Promise((resolve) => (this.onCount = { n, resolve }));
  }

  reset(): void {
    this.started.clear();
    this.waiters.clear();
    this.onCount = undefined;
  }
}
