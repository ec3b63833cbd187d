import fs from 'node:fs';
import { isAlive, parentPid } from '../executor/processTree.js';

export { isAlive, parentPid };

/** Best-effort cleanup after a failed test, so no stray `sleep 1000` outlives the suite. */
export function killQuietly(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** The command line of a process, or '' when it is gone (Linux). */
export function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

/**
 * SIGKILLs the process group led by `pid`, but only while its command line still contains
 * `mustContain` (so a recycled pid is never hit). Returns whether it signalled.
 */
export function killGroupIf(pid: number, mustContain: string): boolean {
  if (!isAlive(pid) || !commandLine(pid).includes(mustContain)) return false;
  killQuietly([-pid, pid]);
  return true;
}
