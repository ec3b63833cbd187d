import fs from 'node:fs';
import path from 'node:path';
import { isAlive, killProcessTree } from './processTree.js';

/** In a task's work folder: the PID of the process group leader it started. */
export const LEADER_PID_FILE = 'leader.pid';

/**
 * After a crash (kill -9, power loss of the node process only) the scripts it started
 * keep running. On the next start, end every process tree recorded in a leftover work
 * folder — only if the process still runs from that folder, so a reused PID is never hit —
 * and remove the folders. Returns the task names whose processes were ended.
 */
export async function endLeftoverProcesses(workRoot: string): Promise<string[]> {
  let folders: string[];
  try {
    folders = fs.readdirSync(workRoot);
  } catch {
    return [];
  }
  const ended: string[] = [];
  for (const task of folders) {
    const folder = path.join(workRoot, task);
    try {
      const pid = Number(fs.readFileSync(path.join(folder, LEADER_PID_FILE), 'utf8'));
      const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
      if (pid > 1 && isAlive(pid) && path.resolve(cwd) === path.resolve(folder)) {
        await killProcessTree(pid);
        ended.push(task);
      }
    } catch {
      // no PID recorded, the process is gone, or not Linux: nothing to end
    }
    fs.rmSync(folder, { recursive: true, force: true });
  }
  return ended;
}
