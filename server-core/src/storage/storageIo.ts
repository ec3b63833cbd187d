/**
 * Every file-system call on shared storage runs on a small pool of worker threads of its
 * own, one call per worker at a time, each with a deadline. A share that stalls holds those
 * workers but never the event loop nor libuv's thread pool (DNS, crypto, local files), so
 * heartbeats, pings and requests go on: later storage calls wait their turn and fail with
 * `StorageTimeoutError` when their deadline passes. A call stuck in the kernel cannot be
 * cancelled; its worker comes back when the share answers.
 */

import os from 'node:os';
import util from 'node:util';
import { Worker } from 'node:worker_threads';
import { STORAGE_WORKER_SOURCE } from './storageWorker.js';

/** The system's words for an errno code (`not a directory (ENOTDIR)`); never a path. */
function describeCode(code: string | undefined): string {
  const errno = code ? (os.constants.errno as Record<string, number>)[code] : undefined;
  const words = errno === undefined ? undefined : util.getSystemErrorMap().get(-errno)?.[1];
  return words ? `${words} (${code})` : code ?? 'unknown error';
}

/**
 * A storage call the file system refused (its errno in `code`), told apart from a database or
 * client error by its `fromStorage` mark. `message` names the path, for the node log;
 * `publicReason` does not, for clients.
 */
export class StorageCallError extends Error {
  readonly fromStorage = true;
  constructor(
    message: string,
    readonly code?: string,
    readonly publicReason = describeCode(code),
  ) {
    super(message);
  }
}

/** A storage call past its deadline: the share is stalled or gone. */
export class StorageTimeoutError extends StorageCallError {
  constructor(what: string, timeoutMs: number) {
    const within = `${Math.round(timeoutMs / 1000)} s`;
    super(`storage did not answer within ${within} (${what})`, 'ESTORAGETIMEOUT', `the storage did not answer within ${within}`);
  }
}

/**
 * Whether an error came from a call on shared storage: refused by the file system, or past its
 * deadline. Told by the `fromStorage` mark, so layers storage depends on (the API's error
 * handler) can tell it without importing this.
 */
export const isStorageError = (err: unknown): err is StorageCallError => (err as { fromStorage?: unknown } | null)?.fromStorage === true;

export interface StoragePoolOptions {
  /** Worker threads: calls in flight at once. */
  workers?: number;
  /** Default deadline of a call, waiting for a worker included. */
  timeoutMs?: number;
}

interface Call {
  op: string;
  args: unknown[];
  transfer: ArrayBuffer[];
  settle(err: Error | undefined, value?: unknown): void;
}

interface Reply {
  id: number;
  value?: unknown;
  error?: { message: string; code?: string };
}

class PoolWorker {
  readonly thread: Worker;
  busy = false;
  private nextId = 0;
  private readonly pending = new Map<number, Call>();

  constructor(onIdle: (w: PoolWorker) => void, onGone: (w: PoolWorker) => void) {
    // Files are opened by one worker and read or closed by another: fds are the process's, not a worker's.
    this.thread = new Worker(STORAGE_WORKER_SOURCE, { eval: true, trackUnmanagedFds: false });
    this.thread.on('message', (r: Reply) => {
      const call = this.pending.get(r.id);
      this.pending.delete(r.id);
      this.busy = false;
      this.thread.unref();
      if (r.error) call?.settle(new StorageCallError(r.error.message, r.error.code));
      else call?.settle(undefined, r.value);
      onIdle(this);
    });
    this.thread.on('error', (err) => {
      for (const c of this.pending.values()) c.settle(new StorageCallError(`the storage worker failed: ${err.message}`, undefined, 'the storage worker failed'));
      this.pending.clear();
    });
    // A worker that died is replaced on the next call.
    this.thread.on('exit', () => onGone(this));
    // After the listeners: a 'message' listener refs the port again. Idle workers never keep the process alive.
    this.thread.unref();
  }

  start(call: Call): void {
    this.busy = true;
    // A call in flight keeps the process alive, as a pending fs call would.
    this.thread.ref();
    const id = this.nextId++;
    this.pending.set(id, call);
    this.thread.postMessage({ id, op: call.op, args: call.args }, call.transfer);
  }
}

export class StoragePool {
  readonly timeoutMs: number;
  private readonly size: number;
  private readonly workers: PoolWorker[] = [];
  private readonly queue: Call[] = [];

  constructor(o: StoragePoolOptions = {}) {
    this.size = o.workers ?? 4;
    this.timeoutMs = o.timeoutMs ?? 10_000;
  }

  /** Calls in flight, stuck ones included. */
  get inFlight(): number {
    return this.workers.filter((w) => w.busy).length;
  }

  /**
   * Runs file-system operation `op` (see storageWorker.ts) on a free worker; rejects with
   * StorageTimeoutError naming `what` when it has not finished within the deadline.
   */
  call<T>(what: string, op: string, args: unknown[], o: { timeoutMs?: number; transfer?: ArrayBuffer[] } = {}): Promise<T> {
    const timeoutMs = o.timeoutMs ?? this.timeoutMs;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const call: Call = {
        op,
        args,
        transfer: o.transfer ?? [],
        settle: (err, value) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (err) reject(err);
          else resolve(value as T);
        },
      };
      const timer = setTimeout(() => {
        const i = this.queue.indexOf(call);
        if (i >= 0) this.queue.splice(i, 1);
        call.settle(new StorageTimeoutError(what, timeoutMs));
      }, timeoutMs);
      timer.unref();
      const idle = this.idleWorker();
      if (idle) idle.start(call);
      else this.queue.push(call);
    });
  }

  private idleWorker(): PoolWorker | undefined {
    const idle = this.workers.find((w) => !w.busy);
    if (idle || this.workers.length >= this.size) return idle;
    const w = new PoolWorker(
      (free) => {
        const next = this.queue.shift();
        if (next) free.start(next);
      },
      (gone) => this.workers.splice(this.workers.indexOf(gone), 1),
    );
    this.workers.push(w);
    return w;
  }
}

/** The process's pool: one per node, shared by every storage kind. */
export const storagePool = new StoragePool();
