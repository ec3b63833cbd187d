import fs from 'node:fs';

export interface FollowOptions {
  file: string;
  /** Resolves true once the task has ended, so the follower can stop after a last read. */
  isFinished: () => Promise<boolean>;
  onLines: (lines: string[]) => void;
  signal: AbortSignal;
  pollMs?: number;
}

/**
 * Follows a task log file until the task ends. Polls the file size rather than
 * relying on fs.watch, because task logs live on shared storage (SMB, NFS) where
 * change notifications from other machines do not arrive.
 */
export async function followLog({ file, isFinished, onLines, signal, pollMs = 100 }: FollowOptions): Promise<void> {
  let offset = 0;
  let partial = '';
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
      if (lines.length) onLines(lines);
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
  if (partial && !signal.aborted) onLines([partial]);
}
