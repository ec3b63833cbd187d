import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { LineSplitter } from '../logs/taskLog.js';
import { renewLine, stopLine, type SupervisorReport, type SupervisorSpec } from './supervisor/protocol.js';
import type { LeaseView } from './taskKind.js';

export interface ScriptEnd {
  code: number | null;
  signal: string | null;
  /** Set when the supervisor killed the script: a stop request, the lease, or the node gone. */
  killed?: 'lease' | 'node-gone' | 'stop';
}

export interface SupervisedScript {
  stdout: Readable;
  stderr: Readable;
  /** The script's end, once its output is read to the end; rejects when it could not start. */
  ended: Promise<ScriptEnd>;
  /** Ends the script's process tree: SIGTERM, then SIGKILL after `graceMs` (0: at once). */
  stop(graceMs: number): void;
}

/** How to run the supervisor's entry: compiled JavaScript, or TypeScript through tsx in tests. */
function supervisorCommand(): string[] {
  const here = fileURLToPath(import.meta.url);
  const ext = path.extname(here);
  const main = path.join(path.dirname(here), 'supervisor', `main${ext}`);
  return ext === '.ts' ? ['--import', import.meta.resolve('tsx'), main] : [main];
}

/**
 * Starts a script under its own supervisor process (supervisor/main.ts), which ends the
 * script's whole process tree if this node dies or its lease runs out without renewal —
 * whatever this process is doing, frozen or gone. Each lease renewal is passed on.
 */
export function superviseScript(spec: Omit<SupervisorSpec, 'leaseMs'>, lease: LeaseView): SupervisedScript {
  const child = spawn(process.execPath, supervisorCommand(), {
    // Its own session: a signal to the node's process group does not reach it, only the pipe's end does.
    detached: true,
    cwd: path.dirname(fileURLToPath(import.meta.url)),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  });
  const control = child.stdin!;
  control.on('error', () => {}); // the supervisor is gone; its exit says how
  const send = (line: string) => {
    if (!control.destroyed && control.writable) control.write(line);
  };
  // A lease that never runs out (a node alone on its database) is a very long one to the supervisor.
  const finite = (ms: number) => (Number.isFinite(ms) ? ms : 2 ** 31 - 1);
  send(`${JSON.stringify({ ...spec, leaseMs: finite(lease.remainingMs()) } satisfies SupervisorSpec)}\n`);
  const renew = (remainingMs: number) => send(renewLine(finite(remainingMs)));
  lease.on('renewed', renew);

  const reports: SupervisorReport[] = [];
  const lines = new LineSplitter((l) => {
    try {
      reports.push(JSON.parse(l) as SupervisorReport);
    } catch {
      // not a report
    }
  });
  (child.stdio[3] as Readable).setEncoding('utf8').on('data', (c: string) => lines.push(c));

  const ended = new Promise<ScriptEnd>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      lease.off('renewed', renew);
      lines.flush();
      const failed = reports.find((r) => r.event === 'spawn-error');
      if (failed && failed.event === 'spawn-error') {
        reject(Object.assign(new Error(failed.message), { code: failed.code }));
        return;
      }
      const exit = reports.find((r) => r.event === 'exit');
      const killed = reports.find((r) => r.event === 'killed');
      resolve({
        code: exit?.event === 'exit' ? exit.code : code,
        signal: exit?.event === 'exit' ? exit.signal : signal,
        killed: killed?.event === 'killed' ? killed.why : undefined,
      });
    });
  });
  return {
    stdout: child.stdout!,
    stderr: child.stderr!,
    ended,
    stop(graceMs) {
      send(stopLine(graceMs));
      // Should the supervisor itself not answer, end it and what it started from here.
      control.end();
    },
  };
}

