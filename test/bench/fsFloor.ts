import fs from 'node:fs';
import path from 'node:path';

export interface FsFloorResult {
  tasks: number;
  ms: number;
  tasksPerSec: number;
  /** CPU time of this process per task (user + system), microseconds. */
  cpuUsPerTask: number;
}

/**
 * The file work the executor does for every no-op task, without the database or its storage
 * threads: a new task log file in one folder, opened to append, its size read, a line written;
 * at the end two more lines, flushed to disk, closed. Tells how much of a task's cost is the
 * file system of `dir` (creating a file is what costs: see the cluster benchmark's report).
 */
export function fsFloor(dir: string, tasks: number): FsFloorResult {
  const logs = path.join(dir, 'fs-floor', 'task-logs');
  fs.mkdirSync(logs, { recursive: true });
  const line = (name: string, text: string) => `${new Date().toISOString()} INFO  Task ${name} ${text}\n`;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 1; i <= tasks; i++) {
    const name = `ServerTasks-${i}`;
    const fd = fs.openSync(path.join(logs, `${name}.log`), 'a');
    fs.fstatSync(fd);
    fs.writeSync(fd, line(name, '(BenchNoop) started on node bench'));
    fs.writeSync(fd, line(name, 'ended: Success') + `${new Date().toISOString()} END   Success\n`);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { tasks, ms: Math.round(ms), tasksPerSec: Math.round((tasks / ms) * 1000), cpuUsPerTask: Math.round((cpu.user + cpu.system) / tasks) };
}
