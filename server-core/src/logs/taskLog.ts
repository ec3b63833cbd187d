import path from 'node:path';
import { storageFs, type StorageFile, type StorageFs } from '../storage/storageFs.js';
import { StorageTimeoutError } from '../storage/storageIo.js';
import { cutLine, LINE_BREAK, logLines, MAX_LINE_BYTES, printable } from './logText.js';

export type LogLevel = 'INFO' | 'WARN' | 'ERROR';

export const taskLogPath = (taskLogsDir: string, taskId: string): string => path.join(taskLogsDir, `${taskId}.log`);

/**
 * The last line of every log this version writes: `<stamp> END   <final state>`. No script
 * output can produce it (script lines are INFO or ERROR), so a reader that meets it knows
 * the log is complete without asking the file system for a size.
 */
export const END_LEVEL = 'END';
const END_LINE = /^\S+ END {3}(\S+)$/;
export const endOfLog = (line: string): string | undefined => END_LINE.exec(line)?.[1];

const formatLine = (stamp: string, level: string, text: string) => `${stamp} ${level.padEnd(5)} ${text}\n`;

export interface TaskLogOptions {
  /** Milliseconds since the epoch for each line's timestamp (a database-corrected clock). */
  clock?: () => number;
  fs?: StorageFs;
  /** Longest a written line waits before it reaches storage. */
  flushMs?: number;
  /** Buffered bytes above which `hasRoom` turns false (producers should pause). */
  highWaterBytes?: number;
  /** Buffered bytes above which lines are dropped (and counted) rather than kept. */
  limitBytes?: number;
}

/** Why a task log could not be written, in the words the task fails with. */
export function logFailureMessage(err: unknown, file: string): string {
  const dir = path.dirname(file);
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return `task log storage is full at ${dir}`;
  if (err instanceof StorageTimeoutError) return `task log storage is not answering at ${dir}: ${err.message}`;
  return `task log storage failed at ${dir}: ${(err as Error).message}`;
}

/** How long lines wait before they are appended to the log's file (the first batch opens it). */
export const FLUSH_INTERVAL_MS = 100;

/**
 * Append-only log of one task: `2026-01-01T00:00:00.000Z INFO  text`, one line per entry.
 * Lines are buffered (bounded) and appended in batches through the storage gate at least
 * every `flushMs`, and on close, so a slow or stalled share never blocks the event loop.
 * A write that fails (a full disk) fails the log: `onFailure` listeners hear it once, with a
 * message naming the folder, and later lines are dropped.
 */
export class TaskLogWriter {
  private readonly clock: () => number;
  private readonly fs: StorageFs;
  private readonly flushMs: number;
  private readonly highWater: number;
  private readonly limit: number;
  private pending: string[] = [];
  private pendingBytes = 0;
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  /** Open from the first batch written until close. */
  private handle: StorageFile | undefined;
  /** Bytes known to be whole lines in the file (a failed write is cut back to it). */
  private goodSize = 0;
  private failedWith: Error | undefined;
  private closed = false;
  private readonly failureListeners: ((err: Error) => void)[] = [];
  private roomWaiters: (() => void)[] = [];

  constructor(
    readonly file: string,
    o: TaskLogOptions = {},
  ) {
    this.clock = o.clock ?? Date.now;
    this.fs = o.fs ?? storageFs;
    this.flushMs = o.flushMs ?? FLUSH_INTERVAL_MS;
    this.highWater = o.highWaterBytes ?? 1024 * 1024;
    this.limit = o.limitBytes ?? 8 * 1024 * 1024;
  }

  /** Why the log failed, once it has. */
  get failure(): Error | undefined {
    return this.failedWith;
  }

  onFailure(listener: (err: Error) => void): void {
    if (this.failedWith) listener(this.failedWith);
    else this.failureListeners.push(listener);
  }

  /** False while the buffer is above its high-water mark: a producer that can pause should. */
  get hasRoom(): boolean {
    return this.pendingBytes < this.highWater || !!this.failedWith || this.closed;
  }

  /** Resolves once the buffer has drained below half its high-water mark (or the log ended). */
  room(): Promise<void> {
    if (this.hasRoom) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  write(level: LogLevel, text: string): void {
    if (this.closed) return;
    this.append(logLines(text).map((l) => formatLine(this.stamp(), level, l)));
  }

  info(text: string): void {
    this.write('INFO', text);
  }
  warn(text: string): void {
    this.write('WARN', text);
  }
  error(text: string): void {
    this.write('ERROR', text);
  }

  /** Nothing of this log has been handed to storage yet (a short task's, so far). */
  private get unwritten(): boolean {
    return !this.handle && !this.flushing && !this.failedWith && !this.closed && !this.dropped;
  }

  /**
   * The whole log with `line` and the final line (`END <finalState>`) after it, when none of
   * it has been handed to storage and it fits in `maxBytes`; else undefined. Given, the log
   * is held (no timed flush) until it is ended with `discard` (kept elsewhere whole) or as
   * usual (`flush`, `close`), which stores what it holds and nothing of the text.
   */
  wholeText(level: LogLevel, line: string, finalState: string, maxBytes: number): string | undefined {
    if (!this.unwritten || this.pendingBytes > maxBytes) return undefined;
    const stamp = this.stamp();
    const text = this.pending.join('') + logLines(line).map((l) => formatLine(stamp, level, l)).join('') + formatLine(stamp, END_LEVEL, finalState);
    if (Buffer.byteLength(text) > maxBytes) return undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    return text;
  }

  /** Ends a log that was kept elsewhere whole (see wholeText): nothing is written. */
  discard(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
    this.pendingBytes = 0;
    this.wakeRoomWaiters();
  }

  /** A sink for a child's output: whole lines as they complete, with memory bounded for a line that never ends. */
  lines(level: LogLevel): LineSink {
    return new LineSink((text) => this.write(level, text));
  }

  /**
   * Writes the final line (`END <state>`), flushes and closes. Without a state the log is
   * closed open-ended, for a later writer to end (an outcome not recorded yet). Never
   * throws: a log that cannot be finished has already reported why through `onFailure`.
   */
  async close(finalState?: string): Promise<void> {
    if (this.closed) return;
    if (finalState !== undefined) this.append([formatLine(this.stamp(), END_LEVEL, finalState)]);
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    // The last batch, the flush to disk and the close go in one storage call (and a log
    // written only now — a short task — in one call from open to close).
    const batch = this.failedWith ? undefined : this.takePending();
    const handle = this.handle;
    this.handle = undefined;
    try {
      if (handle && this.failedWith) await handle.close();
      else if (handle) await handle.appendClose(batch ?? null, this.goodSize, true);
      else if (batch) await this.fs.appendOnce(this.file, batch, true);
    } catch (err) {
      await this.fail(err);
    }
    this.wakeRoomWaiters();
  }

  private stamp(): string {
    return new Date(this.clock()).toISOString();
  }

  private append(lines: string[]): void {
    if (this.failedWith) return;
    for (const line of lines) {
      const bytes = Buffer.byteLength(line);
      if (this.pendingBytes + bytes > this.limit) {
        this.dropped++;
        continue;
      }
      if (this.dropped) {
        const note = formatLine(this.stamp(), 'WARN', `${this.dropped} line(s) were dropped: task log storage did not keep up.`);
        this.pending.push(note);
        this.pendingBytes += Buffer.byteLength(note);
        this.dropped = 0;
      }
      this.pending.push(line);
      this.pendingBytes += bytes;
    }
    if (this.pendingBytes >= this.highWater) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  /** Writes everything buffered (one batch at a time, in order); resolves once it is stored or the log has failed. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing ??= this.drain().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /** What is buffered, as bytes to write; undefined when nothing is. */
  private takePending(): Buffer | undefined {
    if (!this.pending.length) return undefined;
    const batch = Buffer.from(this.pending.join(''));
    this.pending = [];
    this.pendingBytes = 0;
    return batch;
  }

  private async drain(): Promise<void> {
    let batch: Buffer | undefined;
    while (!this.failedWith && (batch = this.takePending())) {
      const bytes = batch.length; // the write hands the batch's memory to the storage worker
      try {
        if (this.handle) await this.handle.write(batch);
        else {
          // The task-logs folder itself is never made here: where it is missing (a share that
          // is not mounted), the task fails rather than writing to a folder no other node sees.
          const { file, size } = await this.fs.appendOpen(this.file, batch);
          this.handle = file;
          this.goodSize = size;
        }
        this.goodSize += bytes;
      } catch (err) {
        await this.fail(err);
      }
      this.wakeRoomWaiters();
    }
  }

  private async fail(err: unknown): Promise<void> {
    if (this.failedWith) return;
    this.failedWith = new Error(logFailureMessage(err, this.file), { cause: err });
    this.pending = [];
    this.pendingBytes = 0;
    // Never leave half a line visible: cut the file back to its last whole line. (The calls
    // that open or close the file cut it back themselves.)
    await this.handle?.truncate(this.goodSize).catch(() => {});
    for (const l of this.failureListeners.splice(0)) l(this.failedWith);
    this.wakeRoomWaiters();
  }

  private wakeRoomWaiters(): void {
    if (this.pendingBytes >= this.highWater / 2 && !this.failedWith && !this.closed) return;
    for (const w of this.roomWaiters.splice(0)) w();
  }
}

/**
 * Splits a stream of text chunks into lines as they complete. A line that grows past
 * MAX_LINE_BYTES without ending is written in marked pieces, so memory stays bounded and
 * the work stays linear whatever the output (a 20 MB line without a newline included).
 */
export class LineSink {
  private rest = '';

  constructor(private readonly onText: (text: string) => void) {}

  push(chunk: string): void {
    this.rest += chunk;
    const lastBreak = this.rest.lastIndexOf('\n');
    if (lastBreak >= 0) {
      this.onText(this.rest.slice(0, lastBreak));
      this.rest = this.rest.slice(lastBreak + 1);
    }
    if (this.rest.length > MAX_LINE_BYTES / 3 && Buffer.byteLength(this.rest) > MAX_LINE_BYTES) this.cutRest();
  }

  /** Writes what is left (a last line without a newline). */
  flush(): void {
    if (this.rest) this.onText(this.rest);
    this.rest = '';
  }

  private cutRest(): void {
    // A trailing CR may be the first half of a CRLF: keep it with the rest.
    const keepCr = this.rest.endsWith('\r');
    const body = keepCr ? this.rest.slice(0, -1) : this.rest;
    const segments = body.split(LINE_BREAK);
    const last = segments.pop()!;
    if (segments.length) this.onText(segments.join('\n'));
    const pieces = cutLine(printable(last));
    if (pieces.length > 1) {
      for (const p of pieces.slice(0, -1)) this.onText(p);
      this.rest = pieces.at(-1)!;
    } else {
      this.rest = last;
    }
    if (keepCr) this.rest += '\r';
  }
}

/** Splits a stream of chunks into whole lines; the rest waits for the next chunk. */
export class LineSplitter {
  private rest = '';
  constructor(private readonly onLine: (line: string) => void) {}
  push(chunk: string): void {
    const parts = (this.rest + chunk).split('\n');
    this.rest = parts.pop() ?? '';
    for (const p of parts) this.onLine(p.replace(/\r$/, ''));
  }
  flush(): void {
    if (this.rest) this.onLine(this.rest);
    this.rest = '';
  }
}
