import { storageFs, type StorageFs } from '../storage/storageFs.js';

/**
 * Whether a node's task-log folder takes writes right now: it exists, is writable and has room. A short
 * task's log goes to the database only when it does, so a missing share or a full disk fails
 * short tasks with the reason as it fails long ones (see Executor.record).
 *
 * Each answer comes from a check begun after it was asked for; askers that arrive while a
 * check is in flight share the next one, so a busy node makes one check per round trip, not
 * one per task.
 */
export class LogStorageCheck {
  private inFlight: Promise<boolean> | undefined;
  private next: Promise<boolean> | undefined;

  constructor(
    /** The folder (read at each check: an operator may move it). */
    private readonly dir: () => string,
    /** Free bytes below which the folder counts as full. */
    private readonly minFreeBytes = 1024 * 1024,
    private readonly fs: StorageFs = storageFs,
  ) {}

  usable(): Promise<boolean> {
    if (!this.inFlight) return (this.inFlight = this.check().finally(() => (this.inFlight = undefined)));
    return (this.next ??= this.inFlight.then(() => {
      this.next = undefined;
      return this.usable();
    }));
  }

  private async check(): Promise<boolean> {
    try {
      const dir = this.dir();
      await this.fs.writable(dir);
      const s = await this.fs.statfs(dir);
      return s.bavail * s.bsize >= this.minFreeBytes;
    } catch {
      return false;
    }
  }
}
