import fs from 'node:fs';
import path from 'node:path';

export type LogLevel = 'INFO' | 'WARN' | 'ERROR';

export const taskLogPath = (taskLogsDir: string, taskId: string): string => path.join(taskLogsDir, `${taskId}.log`);

/**
 * Append-only log of one task: `2026-01-01T00:00:00.000Z INFO  text`, one line per
 * entry, written synchronously so what a reader sees is always whole lines in order.
 */
export class TaskLogWriter {
  private fd: number | undefined;

  constructor(
    readonly file: string,
    /** The time each line is stamped with: the cluster's clock, not this machine's (nodes/clusterClock.ts). */
    private readonly now: () => Date = () => new Date(),
  ) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.fd = fs.openSync(file, 'a');
  }

  write(level: LogLevel, text: string): void {
    if (this.fd === undefined) return;
    const stamp = this.now().toISOString();
    const lines = text.replace(/\r?\n$/, '').split(/\r?\n/);
    fs.writeSync(this.fd, lines.map((l) => `${stamp} ${level.padEnd(5)} ${l}\n`).join(''));
  }

  info(text: string): void {
    this.write('INFO', text);
  }
  error(text: string): void {
    this.write('ERROR', text);
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
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
