import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

export interface ScriptRun {
  /** Resolves with the exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  /** Ends the script and every process it started. */
  killTree(): void;
}

/** The syntaxes of the deployment process (`bash`, `sh`, `powershell`): extension and interpreter. */
const EXTENSIONS: Record<string, string> = { bash: 'sh', sh: 'sh', powershell: 'ps1' };

function command(syntax: string, file: string): [string, string[]] {
  if (syntax === 'powershell') return [process.platform === 'win32' ? 'powershell.exe' : 'pwsh', ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', file]];
  if (syntax === 'sh') return ['sh', [file]];
  return ['bash', [file]];
}

/**
 * Writes the script to `dir` and runs it (in `cwd`, default `dir`) in a process group of its own (a job of its own on
 * Windows through taskkill /T), each output line to `onLine`.
 */
export function startScript(o: { dir: string; body: string; syntax: string; env: Record<string, string>; cwd?: string; onLine: (stream: 'out' | 'err', text: string) => void }): ScriptRun {
  fs.mkdirSync(o.dir, { recursive: true });
  const syntax = o.syntax.toLowerCase();
  const file = path.join(o.dir, `script.${EXTENSIONS[syntax] ?? 'sh'}`);
  fs.writeFileSync(file, o.body, { mode: 0o700 });
  const [cmd, args] = command(syntax, file);
  const child = spawn(cmd, args, { cwd: o.cwd ?? o.dir, env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32', windowsHide: true });
  const streamsDone = [child.stdout, child.stderr].map(
    (s, i) =>
      new Promise<void>((resolve) => {
        readline.createInterface({ input: s, crlfDelay: Infinity }).on('line', (l) => o.onLine(i === 0 ? 'out' : 'err', l)).on('close', resolve);
      }),
  );
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => void Promise.all(streamsDone).then(() => resolve(code)));
  });
  return {
    exited,
    killTree() {
      if (child.pid === undefined) return;
      if (process.platform === 'win32') spawnSync('taskkill', ['/T', '/F', '/PID', String(child.pid)], { windowsHide: true });
      else {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    },
  };
}
