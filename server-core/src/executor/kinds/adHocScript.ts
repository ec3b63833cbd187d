import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { storageFs } from '../../storage/storageFs.js';
import { LEADER_PID_FILE } from '../leftovers.js';
import { killProcessTree } from '../processTree.js';
import type { TaskContext, TaskKind } from '../taskKind.js';

const SYNTAXES = ['bash', 'sh', 'powershell'] as const;
type Syntax = (typeof SYNTAXES)[number];
const MAX_SCRIPT_BYTES = 512 * 1024;

function interpreter(syntax: Syntax, file: string): [string, string[]] {
  switch (syntax) {
    case 'bash':
      return ['bash', ['--noprofile', '--norc', '-e', file]];
    case 'sh':
      return ['sh', ['-e', file]];
    case 'powershell':
      return [process.platform === 'win32' ? 'powershell.exe' : 'pwsh', ['-NoProfile', '-NonInteractive', '-File', file]];
  }
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
    const file = path.join(ctx.workDir, syntax === 'powershell' ? 'script.ps1' : 'script.sh');
    fs.writeFileSync(file, String(ctx.args.script));
    const [cmd, argv] = interpreter(syntax, file);
    ctx.log.info(`Running ${syntax} script on the built-in worker of ${ctx.nodeName}`);
    // Never the artifacts folder itself: where it is missing (a share that is not mounted), the task fails.
    await storageFs.mkdir(ctx.artifactsDir, false).catch((err: Error) => {
      throw new Error(`artifacts storage failed at ${path.dirname(ctx.artifactsDir)}: ${err.message}`);
    });
    const child = spawn(cmd, argv, {
      cwd: ctx.workDir,
      detached: process.platform !== 'win32', // own process group, so cancel reaches everything it starts
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        SHOAL_TASK_ID: ctx.taskId,
        SHOAL_ARTIFACTS_DIR: ctx.artifactsDir,
        SHOAL_WORK_DIR: ctx.workDir,
        SHOAL_NODE_NAME: ctx.nodeName,
        SHOAL_SERVER_URL: ctx.serverUrl,
      },
    });
    // If this node dies, its next start finds the script's process group here and ends it.
    if (child.pid) fs.writeFileSync(path.join(ctx.workDir, LEADER_PID_FILE), String(child.pid));
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
    pump(child.stdout, out);
    pump(child.stderr, err);
    const onAbort = () => {
      if (child.pid) void killProcessTree(child.pid);
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const code = await new Promise<number | null>((resolve, reject) => {
        child.once('error', reject);
        child.once('close', (c, sig) => resolve(c ?? (sig ? 128 : null)));
      });
      out.flush();
      err.flush();
      if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error('canceled');
      if (code !== 0) throw new Error(`The script exited with code ${code}.`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${cmd} is not installed on ${ctx.nodeName}.`);
      throw e;
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
  },
};
