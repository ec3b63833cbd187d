import fs from 'node:fs';
import path from 'node:path';
import { SCRIPT_SYNTAXES, type ScriptSyntax } from '../contract/tasks.js';
import { LineSink } from '../logs/taskLog.js';
import { storageFs } from '../storage/storageFs.js';
import { LEADER_PID_FILE } from './leftovers.js';
import type { RunAsUser } from './runAsUser.js';
import { scriptEnvironment } from './scriptEnvironment.js';
import { superviseScript } from './scriptSupervisor.js';
import type { LeaseView, TaskStop } from './taskKind.js';
import { collectArtifacts, giveToRunAsUser } from './workFolder.js';

export { SCRIPT_SYNTAXES, type ScriptSyntax };
export const defaultSyntax = (): ScriptSyntax => (process.platform === 'win32' ? 'powershell' : 'bash');
/** A canceled script gets this long after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 2000;

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
  /** The task's signal; its reason is a `TaskStop`. */
  signal: AbortSignal;
  /** The node's lease: the script's supervisor ends it when the lease runs out. */
  lease: LeaseView;
  nodeName: string;
  /** The script's output: one or more whole lines at a time (a line that never ends comes in marked pieces). */
  onOutput(text: string, stream: 'out' | 'err'): void;
  /** The task log's buffer: while it has no room (slow storage), the script's output waits in its pipes. */
  flow?: { readonly hasRoom: boolean; room(): Promise<void> };
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
 * Runs one script on the node's built-in worker, under a supervisor of its own: in its own
 * process group (a cancel reaches everything it starts), ended if this node dies or loses
 * its lease, with an allow-listed environment, optionally as the unprivileged run-as
 * account. Resolves on exit code 0; throws otherwise, or with the stop's reason.
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
  // Never the artifacts folder itself: where it is missing (a share that is not mounted), the task fails.
  // (A task's second script finds the folder its first one made.)
  await storageFs.mkdir(o.artifactsDir, false).catch((err: Error & { code?: string }) => {
    if (err.code === 'EEXIST') return;
    throw new Error(`artifacts storage failed at ${path.dirname(o.artifactsDir)}: ${err.message}`);
  });
  const [cmd, argv] = command(o.syntax, file);
  const env = scriptEnvironment(process.env, { ...o.env, SHOAL_ARTIFACTS_DIR: artifactsDir, SHOAL_WORK_DIR: o.workDir, SHOAL_NODE_NAME: o.nodeName }, o.runAs);
  if (o.pathPrefix) env.PATH = `${o.pathPrefix}${path.delimiter}${env.PATH ?? ''}`;
  if (o.cwd && path.resolve(o.cwd) !== path.resolve(o.workDir)) env.SHOAL_SCRIPT_CWD = o.cwd;
  // The supervisor records the script's process-group leader, so a restarted node ends what this one left.
  const script = superviseScript(
    { command: cmd, args: argv, cwd: o.workDir, env, ...(o.runAs ? { uid: o.runAs.uid, gid: o.runAs.gid } : {}), leaderPidFile: path.join(o.workDir, LEADER_PID_FILE) },
    o.lease,
  );
  const pump = (stream: NodeJS.ReadableStream, name: 'out' | 'err') => {
    const sink = new LineSink((text) => o.onOutput(text, name));
    stream.setEncoding('utf8').on('data', (c: string) => {
      sink.push(c);
      if (!o.flow || o.flow.hasRoom) return;
      stream.pause();
      void o.flow.room().then(() => stream.resume());
    });
    return sink;
  };
  const out = pump(script.stdout, 'out');
  const err = pump(script.stderr, 'err');
  const onAbort = () => script.stop((o.signal.reason as TaskStop | undefined)?.immediate ? 0 : STOP_GRACE_MS);
  if (o.signal.aborted) onAbort();
  else o.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const end = await script.ended;
    out.flush();
    err.flush();
    // Killed because of the stop request: the stop decides the outcome. Ended on its own
    // (even just before a cancel arrived): its exit code does.
    if (end.killed === 'stop' && o.signal.aborted) throw o.signal.reason;
    // Its supervisor saw the lease run out (possibly a moment before this node fenced).
    if (end.killed === 'lease') throw o.signal.aborted ? o.signal.reason : new Error(`Node ${o.nodeName} lost its lease (no heartbeat reached the database in time); the script's supervisor stopped it.`);
    const code = end.code ?? (end.signal ? 128 : null);
    if (code !== 0) throw new Error(`The script exited with code ${code}.`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${cmd} is not installed on ${o.nodeName}.`);
    throw e;
  } finally {
    o.signal.removeEventListener('abort', onAbort);
    if (o.runAs) await collectArtifacts(artifactsDir, o.artifactsDir);
  }
}
