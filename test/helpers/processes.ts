import fs from 'node:fs';

/** Whether a process runs (a zombie does not count). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return true; // no /proc: trust kill(0)
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
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // gone
    }
  }
  return true;
}
