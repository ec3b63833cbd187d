/**
 * Every file-system call on shared storage goes through one bounded gate: at most `slots`
 * calls in flight (each holds a libuv thread while it runs), each with a deadline. A share
 * that stalls holds its slots but never the event loop: later calls wait their turn and
 * fail with `StorageTimeoutError` when the deadline passes, so heartbeats, pings and the
 * rest of the thread pool (DNS, crypto) go on. A call stuck in the kernel cannot be
 * cancelled; its slot comes back when the share answers.
 */
export class StorageTimeoutError extends Error {
  readonly code = 'ESTORAGETIMEOUT';
}

export interface StorageGateOptions {
  /** Calls in flight at once. */
  slots?: number;
  /** Default deadline of a call, waiting for a slot included. */
  timeoutMs?: number;
}

interface Waiter {
  start: () => void;
}

export class StorageGate {
  readonly slots: number;
  readonly timeoutMs: number;
  private busy = 0;
  private readonly queue: Waiter[] = [];

  constructor(o: StorageGateOptions = {}) {
    this.slots = o.slots ?? 4;
    this.timeoutMs = o.timeoutMs ?? 10_000;
  }

  /** Calls in flight, stuck ones included. */
  get inFlight(): number {
    return this.busy;
  }

  /**
   * Runs `fn` once a slot is free; rejects with StorageTimeoutError naming `what` when it has
   * not finished within the deadline (its slot stays taken until it really ends).
   */
  run<T>(what: string, fn: () => Promise<T>, timeoutMs = this.timeoutMs): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        reject(new StorageTimeoutError(`storage did not answer within ${Math.round(timeoutMs / 1000)} s (${what})`));
      }, timeoutMs);
      timer.unref();
      const waiter: Waiter = {
        start: () => {
          this.busy++;
          fn().then(
            (v) => {
              if (!settled) resolve(v);
              settled = true;
            },
            (err: unknown) => {
              if (!settled) reject(err instanceof Error ? err : new Error(String(err)));
              settled = true;
            },
          ).finally(() => {
            clearTimeout(timer);
            this.busy--;
            this.next();
          });
        },
      };
      if (this.busy < this.slots) waiter.start();
      else this.queue.push(waiter);
    });
  }

  private next(): void {
    while (this.busy < this.slots && this.queue.length) this.queue.shift()!.start();
  }
}

/** The process's gate: one per node, shared by every storage kind. */
export const storageGate = new StorageGate();
