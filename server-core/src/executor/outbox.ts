import fs from 'node:fs';
import path from 'node:path';

export type FinalState = 'Success' | 'Failed' | 'Canceled';

/** An outcome this node decided but could not write to the database yet. */
export interface PendingOutcome {
  taskId: number;
  /** The claim token: the outcome counts only while the task still carries it. */
  token: string;
  state: FinalState;
  message: string | null;
}

/**
 * Outcomes that could not be recorded (database unreachable, lease lost) are kept here,
 * one JSON line each in a file of the data dir, fsynced before the task's slot is freed,
 * so neither a database outage nor a crash right after loses them. They are replayed,
 * token-guarded, once the node holds its lease again, and at its next start.
 */
export class Outbox {
  private entries: PendingOutcome[];

  constructor(readonly file: string) {
    this.entries = readEntries(file);
  }

  get size(): number {
    return this.entries.length;
  }

  list(): PendingOutcome[] {
    return [...this.entries];
  }

  /** Keeps the outcome durably (fsynced). Throws only when the data dir cannot be written. */
  add(entry: PendingOutcome): void {
    this.entries.push(entry);
    const fd = fs.openSync(this.file, 'a', 0o600);
    try {
      fs.writeSync(fd, `${JSON.stringify(entry)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Drops a replayed outcome; the file is replaced whole (written, fsynced, renamed). */
  remove(entry: PendingOutcome): void {
    this.entries = this.entries.filter((e) => e !== entry);
    if (this.entries.length === 0) {
      fs.rmSync(this.file, { force: true });
      return;
    }
    const tmp = `${this.file}.${process.pid}.tmp`;
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      fs.writeSync(fd, this.entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.file);
  }
}

function readEntries(file: string): PendingOutcome[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: PendingOutcome[] = [];
  // A line cut short by a crash mid-append is the only one that can fail to parse: skip it.
  for (const line of text.split('\n')) {
    try {
      if (line.trim()) out.push(JSON.parse(line) as PendingOutcome);
    } catch {
      // torn last line
    }
  }
  return out;
}

export const outboxFile = (dataDir: string): string => path.join(dataDir, 'outbox.jsonl');
