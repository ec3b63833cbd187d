import { spawn, type ChildProcess } from 'node:child_process';
import { REPO_ROOT, SHOAL_BIN } from './repo.js';
import { trackChild } from './teardown.js';
import { sleep } from '../../server-core/src/testing/wait.js';

export interface ShoalProcessOptions {
  dataDir: string;
  /** 0 or absent: the OS picks one; the bound port is read from the node's startup line. */
  port?: number;
  nodeName?: string;
  taskCap?: number;
  /** Added to a clean environment (the runner's SHOAL_* variables are not passed on). */
  env?: Record<string, string>;
  /** Extra `shoal run` arguments. */
  args?: string[];
  /** How long to wait for the first answer to GET /api/nodes/ping. */
  startTimeoutMs?: number;
  /**
   * A command the node runs under, which execs it so the pid stays the node's: `ip netns
   * exec NS` (another network namespace), `nsenter -t PID -m --` (another mount namespace).
   */
  prefix?: string[];
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export const DEFAULT_ADMIN_PASSWORD = 'system-test-admin-pw';

/** Keeps the last `max` characters of a stream, for diagnostics. */
class Tail {
  private text = '';
  constructor(private readonly max = 256 * 1024) {}
  push(chunk: string) {
    this.text += chunk;
    if (this.text.length > this.max) this.text = this.text.slice(-this.max);
  }
  toString() {
    return this.text;
  }
}

export interface ShoalProcess {
  child: ChildProcess;
  pid: number;
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  dataDir: string;
  nodeName: string;
  adminPassword: string;
  exited: Promise<ExitInfo>;
  stdout(): string;
  stderr(): string;
  /** Both streams, for assertion messages. */
  output(): string;
  /** Sends `signal` and waits for the exit, SIGKILLing after `timeoutMs`. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<ExitInfo & { ms: number }>;
}

/** Spawns `node server-core/bin/shoal.js run …` as a real child and waits until the node answers its ping. */
export async function startShoalProcess(o: ShoalProcessOptions): Promise<ShoalProcess> {
  const nodeName = o.nodeName ?? 'system-test-node';
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('SHOAL_')) env[k] = v;
  // The comms port too is picked by the OS unless a test names one: several nodes share this machine.
  Object.assign(env, { SHOAL_ADMIN_PASSWORD: DEFAULT_ADMIN_PASSWORD, SHOAL_LOG_LEVEL: 'info', SHOAL_COMMS_PORT: '0' }, o.env);
  const args = [SHOAL_BIN, 'run', '--data-dir', o.dataDir, '--port', String(o.port ?? 0), '--node-name', nodeName];
  if (o.taskCap !== undefined) args.push('--task-cap', String(o.taskCap));
  args.push(...(o.args ?? []));

  const [cmd, ...cmdArgs] = [...(o.prefix ?? []), process.execPath, ...args];
  const child = spawn(cmd!, cmdArgs, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  const out = new Tail();
  const err = new Tail();
  child.stdout!.setEncoding('utf8').on('data', (c: string) => out.push(c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => err.push(c));
  const exited = new Promise<ExitInfo>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let exit: ExitInfo | undefined;
  void exited.then((e) => (exit = e));
  const output = () => `--- stdout of ${nodeName} (pid ${child.pid}) ---\n${out}\n--- stderr ---\n${err}`;

  const deadline = Date.now() + (o.startTimeoutMs ?? 20_000);
  let url: string | undefined;
  for (;;) {
    if (exit) throw new Error(`shoal run exited during startup (${JSON.stringify(exit)})\n${output()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`shoal run did not answer GET /api/nodes/ping in time\n${output()}`);
    }
    url ??= /is running at (http:\/\/\S+) /.exec(out.toString())?.[1];
    if (url) {
      try {
        const res = await fetch(`${url}/api/nodes/ping`, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        break; // any answer (200, 418 when drained, 503) means the node is up
      } catch {
        // not listening yet
      }
    }
    await sleep(50);
  }

  return {
    child,
    pid: child.pid!,
    url,
    port: Number(new URL(url).port),
    dataDir: o.dataDir,
    nodeName,
    adminPassword: env.SHOAL_ADMIN_PASSWORD!,
    exited,
    stdout: () => out.toString(),
    stderr: () => err.toString(),
    output,
    async stop(signal = 'SIGTERM', timeoutMs = 15_000) {
      const t0 = Date.now();
      if (!exit) child.kill(signal);
      const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const e = await exited;
      clearTimeout(kill);
      return { ...e, ms: Date.now() - t0 };
    },
  };
}
