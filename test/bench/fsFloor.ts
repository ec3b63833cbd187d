import fs from 'node:fs';
import path from 'node:path';

export interface FsFloorResult {
  tasks: number;
  ms: number;
  tasksPerSec: number;
}

/**
 * The files the executor touches for every task, without the database: create and append
 * the task log (three lines), make the work and artifacts folders, remove the work folder.
 * Tells how much of a no-op task's cost is the file system.
 */
export function fsFloor(dir: string, tasks: number): FsFloorResult {
  const logs = path.join(dir, 'fs-floor', 'task-logs');
  const work = path.join(dir, 'fs-floor', 'work');
  const artifacts = path.join(dir, 'fs-floor', 'artifacts');
  const t0 = performance.now();
  for (let i = 1; i <= tasks; i++) {
    const name = `ServerTasks-${i}`;
    fs.mkdirSync(logs, { recursive: true });
    const fd = fs.openSync(path.join(logs, `${name}.log`), 'a');
    fs.writeSync(fd, `${new Date().toISOString()} INFO  Task ${name} (BenchNoop) started on node bench\n`);
    const workDir = path.join(work, name);
    fs.mkdirSync(workDir, { recursive: true });
    fs.mkdirSync(path.join(artifacts, name), { recursive: true });
    fs.rmSync(workDir, { recursive: true, force: true });
    fs.writeSync(fd, `${new Date().toISOString()} INFO  Task ${name} ended: Success\n`);
    fs.closeSync(fd);
  }
  const ms = performance.now() - t0;
  return { tasks, ms: Math.round(ms), tasksPerSec: Math.round((tasks / ms) * 1000) };
}
