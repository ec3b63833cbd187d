import { execFile } from 'node:child_process';
import fs from 'node:fs';

/** The parent of a process, or undefined when it is gone (read from /proc on Linux). */
export function parentPid(pid: number | string): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses; fields resume after the last ')'.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined; // the process ended while we looked
  }
}

/** Every descendant of `root` (children, grandchildren…), read from /proc on Linux. */
function descendants(root: number): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const e of entries) {
    const ppid = parentPid(e);
    if (ppid === undefined) continue;
    const list = children.get(ppid) ?? [];
    list.push(Number(e));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    for (const c of children.get(stack.pop()!) ?? []) {
      out.push(c);
      stack.push(c);
    }
  }
  return out;
}

function signalAll(pid: number, signal: NodeJS.Signals): void {
  const targets = [pid, ...descendants(pid)];
  try {
    process.kill(-pid, signal); // the whole process group the task leader started
  } catch {
    // no such group
  }
  for (const p of targets) {
    try {
      process.kill(p, signal); // descendants that left the group (setsid, nohup &)
    } catch {
      // already gone
    }
  }
}

/**
 * Ends a task's process and everything it started: SIGTERM to the process group and
 * every descendant, then SIGKILL to whatever is left after the grace period. With no grace,
 * SIGKILL at once: nothing of the tree gets to run another instruction.
 */
export async function killProcessTree(pid: number, graceMs = 2000): Promise<void> {
  if (process.platform === 'win32') {
    await new Promise<void>((resolve) => execFile('taskkill', ['/T', '/F', '/PID', String(pid)], () => resolve()));
    return;
  }
  // Collect the tree before the leader dies, or its orphans are re-parented out of reach.
  const tree = [pid, ...descendants(pid)];
  if (graceMs > 0) {
    signalAll(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && tree.some(isAlive)) await new Promise((r) => setTimeout(r, 50));
  }
  for (const p of tree) if (isAlive(p)) signalAll(p, 'SIGKILL');
}

/** Whether a process runs. A zombie has exited (it only waits for its parent to reap it); without /proc, kill(0) decides. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}
