import fs from 'node:fs';
import path from 'node:path';
import { storageFs } from '../../storage/storageFs.js';
import { LEADER_PID_FILE } from '../leftovers.js';
import { superviseScript } from '../scriptSupervisor.js';
import { scriptEnvironment } from '../scriptEnvironment.js';
import { collectArtifacts, giveToRunAsUser } from '../workFolder.js';
import type { TaskContext, TaskKind, TaskStop } from '../taskKind.js';

const SYNTAXES = ['bash', 'sh', 'powershell'] as const;
type Syntax = (typeof SYNTAXES)[number];
const MAX_SCRIPT_BYTES = 512 * 1024;
/** A canceled script gets this long after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 2000;

function interpreter(syntax: Syntax, file: string): [string, string[]] {
  switch (syntax) {
    case 'bash':
      return withUmask('bash', ['--noprofile', '--norc', '-e', file]);
    case 'sh':
      return withUmask('sh', ['-e', file]);
    case 'powershell':
      return process.platform === 'win32' ? ['powershell.exe', ['-NoProfile', '-NonInteractive', '-File', file]] : withUmask('pwsh', ['-NoProfile', '-NonInteractive', '-File', file]);
  }
}

/** The node keeps its own files from other accounts (umask 027); what scripts deploy gets the usual 022. */
function withUmask(cmd: string, args: string[]): [string, string[]] {
  return ['/bin/sh', ['-c', 'umask 022 && exec "$0" "$@"', cmd, ...args]];
}

/** Runs a script on the node's built-in worker, in its own working folder and process group. */
export const adHocScript: TaskKind = {
  name: 'AdHocScript',
  permission: 'admin',

  parseArguments(args) {
    const extra = Object.keys(args).filter((k) => !['script', 'syntax', 'description'].includes(k));
    if (extra.length) return { error: `arguments.${extra[0]} is not a known argument of AdHocScript` };
    if (typeof args.script !== 'string' || args.script.trim() === '') return { error: 'arguments.script must be a non-empty string' };
    if (Buffer.byteLength(args.script) > MAX_SCRIPT_BYTES) return { error: `arguments.script is larger than ${MAX_SCRIPT_BYTES} bytes` };
    const syntax = args.syntax ?? (process.platform === 'win32' ? 'powershell' : 'bash');
    if (!SYNTAXES.includes(syntax as Syntax)) return { error: `arguments.syntax must be one of ${SYNTAXES.join(', ')}` };
    if (args.description !== undefined && typeof args.description !== 'string') return { error: 'arguments.description must be a string' };
    const firstLine = args.script.trim().split('\n')[0]!.slice(0, 80);
    return { description: (args.description as string | undefined) || `Script: ${firstLine}` };
  },

  async run(ctx: TaskContext) {
    const syntax = (ctx.args.syntax ?? (process.platform === 'win32' ? 'powershell' : 'bash')) as Syntax;
    const runAs = ctx.runAs;
    const file = path.join(ctx.workDir, syntax === 'powershell' ? 'script.ps1' : 'script.sh');
    fs.writeFileSync(file, String(ctx.args.script));
    // Run as another account, the script writes its artifacts into its own work folder (it
    // can reach nothing else of Shoal's); they are collected into storage when it ends.
    const artifactsDir = runAs ? path.join(ctx.workDir, 'artifacts') : ctx.artifactsDir;
    if (runAs) {
      fs.mkdirSync(artifactsDir);
      giveToRunAsUser(ctx.workDir, runAs);
    }
    const [cmd, argv] = interpreter(syntax, file);
    ctx.log.info(`Running ${syntax} script on the built-in worker of ${ctx.nodeName}${runAs ? ` as ${runAs.name}` : ''}`);
    // Never the artifacts folder itself: where it is missing (a share that is not mounted), the task fails.
    await storageFs.mkdir(ctx.artifactsDir, false).catch((err: Error) => {
      throw new Error(`artifacts storage failed at ${path.dirname(ctx.artifactsDir)}: ${err.message}`);
    });
    // Under a supervisor of its own: the script's process tree ends if this node dies or
    // loses its lease, and the supervisor records its process-group leader for the next start.
    const script = superviseScript(
      {
        command: cmd,
        args: argv,
        cwd: ctx.workDir,
        ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
        env: scriptEnvironment(
          process.env,
          {
            SHOAL_TASK_ID: ctx.taskId,
            SHOAL_ARTIFACTS_DIR: artifactsDir,
            SHOAL_WORK_DIR: ctx.workDir,
            SHOAL_NODE_NAME: ctx.nodeName,
            SHOAL_SERVER_URL: ctx.serverUrl,
          },
          runAs,
        ),
        leaderPidFile: path.join(ctx.workDir, LEADER_PID_FILE),
      },
      ctx.lease,
    );
    const out = ctx.log.lines('INFO');
    const err = ctx.log.lines('ERROR');
    // While the log's buffer is full (slow storage), the script's output waits in its pipes.
    const pump = (stream: NodeJS.ReadableStream, sink: typeof out) =>
      stream.setEncoding('utf8').on('data', (c: string) => {
        sink.push(c);
        if (ctx.log.hasRoom) return;
        stream.pause();
        void ctx.log.room().then(() => stream.resume());
      });
    pump(script.stdout, out);
    pump(script.stderr, err);
    const onAbort = () => script.stop((ctx.signal.reason as TaskStop | undefined)?.immediate ? 0 : STOP_GRACE_MS);
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const end = await script.ended;
      out.flush();
      err.flush();
      // Killed because of the stop request: the stop decides the outcome. Ended on its own
      // (even just before a cancel arrived): its exit code does.
      if (end.killed === 'stop' && ctx.signal.aborted) throw ctx.signal.reason;
      // Its supervisor saw the lease run out (possibly a moment before this node fenced).
      if (end.killed === 'lease') throw ctx.signal.aborted ? ctx.signal.reason : new Error(`Node ${ctx.nodeName} lost its lease (no heartbeat reached the database in time); the script's supervisor stopped it.`);
      const code = end.code ?? (end.signal ? 128 : null);
      if (code !== 0) throw new Error(`The script exited with code ${code}.`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${cmd} is not installed on ${ctx.nodeName}.`);
      throw e;
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      if (runAs) await collectArtifacts(artifactsDir, ctx.artifactsDir);
    }
  },
};
