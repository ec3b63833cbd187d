import fs from 'node:fs';

export interface FollowOptions {
  file: string;
  /** Resolves true once the task has ended, so the follower can stop after a last read. */
  isFinished: () => Promise<boolean>;
  /** Whole lines, each with the byte offset just after it (a reader resumes from there). */
  onLines: (lines: { text: string; end: number }[]) => void;
  signal: AbortSignal;
  /** Byte offset to start from (the end of a line an earlier reader already had). */
  startOffset?: number;
  pollMs?: number;
}

/**
 * Follows a task log file until the task ends. Polls the file size rather than
 * relying on fs.watch, because task logs live on shared storage (SMB, NFS) where
 * change notifications from other machines do not arrive.
 */
export async function followLog({ file, isFinished, onLines, signal, startOffset = 0, pollMs = 100 }: FollowOptions): Promise<void> {
  let offset = startOffset;
  /** Offset of the first byte not yet handed out as part of a whole line. */
  let lineStart = startOffset;
  let partial = '';
  const emit = (texts: string[]) => {
    onLines(
      texts.map((text) => {
        lineStart += Buffer.byteLength(text) + 1;
        return { text, end: lineStart };
      }),
    );
  };
  let lastStateCheck = 0;
  let finished = false;
  const readNew = () => {
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch {
      return;
    }
    if (size <= offset) return;
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(size - offset);
      const n = fs.readSync(fd, buf, 0, buf.length, offset);
      offset += n;
      const text = partial + buf.subarray(0, n).toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      if (lines.length) emit(lines);
    } finally {
      fs.closeSync(fd);
    }
  };
  while (!signal.aborted) {
    readNew();
    if (finished) break;
    if (Date.now() - lastStateCheck >= 500) {
      lastStateCheck = Date.now();
      // Read once more after the task ended so the last lines are not lost.
      finished = await isFinished();
      continue;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  if (partial && !signal.aborted) emit([partial]);
}
