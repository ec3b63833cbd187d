import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../../helpers/repo.js';
import { trackChild } from '../../helpers/teardown.js';
import { processCpuMs } from './cpu.js';
import type { ChildMessage, ParentRequest } from './ipc.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A child process of the cluster benchmark (`node --import tsx <entry>` in this folder),
 * spoken to over IPC. Tracked by the test teardown, so it never outlives the benchmark.
 */
export class BenchChild {
  readonly exited: Promise<ExitInfo>;
  private exit: ExitInfo | undefined;
  private tail = '';
  private readonly listeners = new Set<(m: ChildMessage) => void>();

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    trackChild(child);
    child.stderr!.setEncoding('utf8').on('data', (c: string) => {
      this.tail = (this.tail + c).slice(-64 * 1024);
      if (process.env.BENCH_VERBOSE === '1') process.stderr.write(`[${name}] ${c}`);
    });
    child.on('message', (m: ChildMessage) => {
      for (const l of this.listeners) l(m);
    });
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve((this.exit = { code, signal }))));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Spawns `entry` (a file of this folder) with `env` added to a clean environment; waits for its `ready`. */
  static async start(
    name: string,
    entry: string,
    env: Record<string, string>,
    o: { execArgv?: string[]; readyTimeoutMs?: number } = {},
  ): Promise<{ child: BenchChild; url?: string }> {
    const clean: Record<string, string> = {};
    // The runner's SHOAL_* variables must not redirect the benchmark's nodes.
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('SHOAL_') && !k.startsWith('BENCH_')) clean[k] = v;
    const cp = spawn(process.execPath, [...(o.execArgv ?? []), '--import', 'tsx', path.join(HERE, entry)], {
      cwd: REPO_ROOT,
      env: { ...clean, ...env },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const child = new BenchChild(name, cp);
    const timeoutMs = o.readyTimeoutMs ?? 60_000;
    try {
      const ready = await child.waitFor((m) => (m.type === 'ready' ? m : undefined), timeoutMs, 'ready');
      return { child, url: ready.url };
    } catch (err) {
      cp.kill('SIGKILL');
      throw err;
    }
  }

  onMessage(fn: (m: ChildMessage) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Resolves with the first message `pick` accepts; rejects when the child dies first or the time is up. */
  private waitFor<T>(pick: (m: ChildMessage) => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const done = (fn: () => void) => {
        clearTimeout(timer);
        off();
        fn();
      };
      const timer = setTimeout(() => done(() => reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms\n${this.stderr()}`))), timeoutMs);
      const off = this.onMessage((m) => {
        if (m.type === 'fatal') return done(() => reject(new Error(`${this.name} failed: ${m.message}`)));
        const v = pick(m);
        if (v !== undefined) done(() => resolve(v));
      });
      void this.exited.then((e) => done(() => reject(new Error(`${this.name} exited (${JSON.stringify(e)}) before ${what}\n${this.stderr()}`))));
    });
  }

  /** Sends a request and resolves with the child's answer. */
  request<T = unknown>(type: ParentRequest, timeoutMs = 30_000): Promise<T> {
    if (this.exit) return Promise.reject(new Error(`${this.name} has exited`));
    const answer = this.waitFor((m) => (m.type === 'reply' && m.to === type ? m : undefined), timeoutMs, `answer to ${type}`);
    this.child.send({ type });
    return answer.then((m) => {
      if (m.error) throw new Error(`${this.name} ${type}: ${m.error}`);
      return m.data as T;
    });
  }

  /** Asks the child to stop (it answers with what `stop` returned); SIGKILL when it does not exit in time. */
  async stop<T = unknown>(timeoutMs = 20_000): Promise<T | undefined> {
    if (this.exit) return undefined;
    const kill = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.request<T>('stop', timeoutMs).catch(() => undefined);
    } finally {
      await this.exited;
      clearTimeout(kill);
    }
  }

  /** CPU time (user + system, all threads) the process used so far, from /proc (Linux); NaN elsewhere. */
  cpuMs(): number {
    return processCpuMs(this.pid);
  }

  kill9(): void {
    this.child.kill('SIGKILL');
  }

  stderr(): string {
    return this.tail ? `--- stderr of ${this.name} ---\n${this.tail}` : '';
  }
}
