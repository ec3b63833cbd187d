import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { LineSplitter } from '../logs/taskLog.js';
import { LEADER_PID_FILE } from './leftovers.js';
import { killProcessTree } from './processTree.js';
import type { RunAsUser } from './runAsUser.js';
import { scriptEnvironment } from './scriptEnvironment.js';
import { collectArtifacts, giveToRunAsUser } from './workFolder.js';

export const SCRIPT_SYNTAXES = ['bash', 'sh', 'powershell'] as const;
export type ScriptSyntax = (typeof SCRIPT_SYNTAXES)[number];
export const defaultSyntax = (): ScriptSyntax => (process.platform === 'win32' ? 'powershell' : 'bash');

export interface ScriptRun {
  script: string;
  syntax: ScriptSyntax;
  /** The task's work folder: holds the script file and the leader's PID, and is the leader's working folder. */
  workDir: string;
  /** The script file's name in the work folder, without extension (several scripts of one task: one each). */
  fileStem?: string;
  /** Where the script itself runs, when not the work folder (a package's install folder). */
  cwd?: string;
  /** The task's own variables; the node's environment is filtered by `scriptEnvironment`. */
  env: Record<string, string>;
  /** A folder put first on PATH (helper commands). */
  pathPrefix?: string;
  /** The task's artifacts folder (shared storage); a run-as script writes into its work folder and they are collected. */
  artifactsDir: string;
  runAs?: RunAsUser;
  signal: AbortSignal;
  nodeName: string;
  onLine(line: string, stream: 'out' | 'err'): void;
}

/**
 * The shell command that runs a script file: through /bin/sh for the usual umask (022, while
 * the node keeps its own files at 027), and, when the script runs in another folder, in a
 * subshell, so the process group's leader stays in the work folder where a restarted node
 * looks for leftovers.
 */
function command(syntax: ScriptSyntax, file: string): [string, string[]] {
  const [cmd, args] =
    syntax === 'bash' ? ['bash', ['--noprofile', '--norc', '-e', file]] :
    syntax === 'sh' ? ['sh', ['-e', file]] :
    [process.platform === 'win32' ? 'powershell.exe' : 'pwsh', ['-NoProfile', '-NonInteractive', '-File', file]];
  if (process.platform === 'win32') return [cmd, args];
  const shell = 'umask 022 && if [ -n "$SHOAL_SCRIPT_CWD" ]; then (cd -- "$SHOAL_SCRIPT_CWD" && exec "$0" "$@"); else exec "$0" "$@"; fi';
  return ['/bin/sh', ['-c', shell, cmd, ...args]];
}

/**
 * Runs one script on the node's built-in worker: in its own process group (a cancel reaches
 * everything it starts), with an allow-listed environment, optionally as the unprivileged
 * run-as account. Resolves on exit code 0; throws otherwise, or with the abort reason.
 */
export async function runScript(o: ScriptRun): Promise<void> {
  const stem = o.fileStem ?? 'script';
  const file = path.join(o.workDir, `${stem}${o.syntax === 'powershell' ? '.ps1' : '.sh'}`);
  fs.writeFileSync(file, o.script);
  // Run as another account, the script writes its artifacts into its own work folder (it can
  // reach nothing else of Shoal's); they are collected into storage when it ends.
  const artifactsDir = o.runAs ? path.join(o.workDir, 'artifacts') : o.artifactsDir;
  if (o.runAs) {
    fs.mkdirSync(artifactsDir, { recursive: true });
    giveToRunAsUser(o.workDir, o.runAs);
  }
  const [cmd, argv] = command(o.syntax, file);
  const env = scriptEnvironment(process.env, { ...o.env, SHOAL_ARTIFACTS_DIR: artifactsDir, SHOAL_WORK_DIR: o.workDir, SHOAL_NODE_NAME: o.nodeName }, o.runAs);
  if (o.pathPrefix) env.PATH = `${o.pathPrefix}${path.delimiter}${env.PATH ?? ''}`;
  if (o.cwd && path.resolve(o.cwd) !== path.resolve(o.workDir)) env.SHOAL_SCRIPT_CWD = o.cwd;
  const child = spawn(cmd, argv, {
    cwd: o.workDir,
    detached: process.platform !== 'win32', // own process group, so cancel reaches everything it starts
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(o.runAs ? { uid: o.runAs.uid, gid: o.runAs.gid } : {}),
    env,
  });
  // If this node dies, its next start finds the script's process group here and ends it.
  if (child.pid) fs.writeFileSync(path.join(o.workDir, LEADER_PID_FILE), String(child.pid));
  const out = new LineSplitter((l) => o.onLine(l, 'out'));
  const err = new LineSplitter((l) => o.onLine(l, 'err'));
  child.stdout.setEncoding('utf8').on('data', (c: string) => out.push(c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => err.push(c));
  const onAbort = () => {
    if (child.pid) void killProcessTree(child.pid);
  };
  if (o.signal.aborted) onAbort();
  o.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c, sig) => resolve(c ?? (sig ? 128 : null)));
    });
    out.flush();
    err.flush();
    if (o.signal.aborted) throw o.signal.reason ?? new Error('canceled');
    if (code !== 0) throw new Error(`The script exited with code ${code}.`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${cmd} is not installed on ${o.nodeName}.`);
    throw e;
  } finally {
    o.signal.removeEventListener('abort', onAbort);
    if (o.runAs) await collectArtifacts(artifactsDir, o.artifactsDir);
  }
}
