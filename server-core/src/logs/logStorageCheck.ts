import { storageFs, type StorageFs } from '../storage/storageFs.js';
import { FLUSH_INTERVAL_MS } from './taskLog.js';

export interface LogStorageCheckOptions {
  /** Free bytes below which the folder counts as full. */
  minFreeBytes?: number;
  /** How old a check may be (from its start) and still answer. */
  maxAgeMs?: number;
  fs?: StorageFs;
}

/**
 * Whether a node's task-log folder takes writes right now: it exists, is writable and has room. A short
 * task's log goes to the database only when it does, so a missing share or a full disk fails
 * short tasks with the reason as it fails long ones (see Executor.record).
 *
 * An answer comes from a check begun at most `maxAgeMs` before it was asked for: by default
 * the first flush of a task's log (a long task finds a missing share at that flush, no
 * sooner), so a busy node makes a few checks a second, not one per task. Askers that
 * arrive while an older check is still in flight (a slow share) share the next one.
 */
export class LogStorageCheck {
  private latest: { begun: number; answer: Promise<boolean> } | undefined;
  private inFlight: Promise<boolean> | undefined;
  private next: Promise<boolean> | undefined;
  private readonly minFreeBytes: number;
  private readonly maxAgeMs: number;
  private readonly fs: StorageFs;

  constructor(
    /** The folder (read at each check: an operator may move it). */
    private readonly dir: () => string,
    o: LogStorageCheckOptions = {},
  ) {
    this.minFreeBytes = o.minFreeBytes ?? 1024 * 1024;
    this.maxAgeMs = o.maxAgeMs ?? FLUSH_INTERVAL_MS;
    this.fs = o.fs ?? storageFs;
  }

  usable(): Promise<boolean> {
    const now = performance.now();
    if (this.latest && now - this.latest.begun <= this.maxAgeMs) return this.latest.answer;
    if (this.inFlight) {
      return (this.next ??= this.inFlight.then(() => {
        this.next = undefined;
        return this.usable();
      }));
    }
    const answer = this.check();
    this.latest = { begun: now, answer };
    this.inFlight = answer.finally(() => (this.inFlight = undefined));
    return answer;
  }

  private async check(): Promise<boolean> {
    try {
      const s = await this.fs.writableStatfs(this.dir());
      return s.bavail * s.bsize >= this.minFreeBytes;
    } catch {
      return false;
    }
  }
}
