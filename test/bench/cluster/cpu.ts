import fs from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** Fields 3… of /proc/<pid>/stat (the command name, field 2, may hold spaces). */
function statFields(pid: number): string[] | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  } catch {
    return undefined;
  }
}

/** CPU time (user + system, all threads) a process used so far, from /proc (Linux); NaN when unknown. */
export function processCpuMs(pid: number): number {
  const f = statFields(pid);
  return f ? ((Number(f[11]) + Number(f[12])) * 1000) / USER_HZ : NaN;
}

export function parentPid(pid: number): number {
  return Number(statFields(pid)?.[1]);
}

/** CPU time so far of every child of `parent`, by pid. */
export function childrenCpuMs(parent: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = statFields(Number(entry));
    if (f && Number(f[1]) === parent) out.set(Number(entry), ((Number(f[11]) + Number(f[12])) * 1000) / USER_HZ);
  }
  return out;
}

/** User and system CPU ms of a process separately. */
export function processCpuSplit(pid: number): { user: number; system: number } {
  const f = statFields(pid);
  return f ? { user: (Number(f[11]) * 1000) / USER_HZ, system: (Number(f[12]) * 1000) / USER_HZ } : { user: NaN, system: NaN };
}
