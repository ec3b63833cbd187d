import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { REPO_ROOT } from './repo.js';
import type { ShoalProcess } from './shoalProcess.js';
import { trackChild } from './teardown.js';
import { waitFor } from '../../server-core/src/testing/wait.js';

/** The entry `shoal-agent` runs; it imports agent/dist, so build first. */
export const AGENT_BIN = path.join(REPO_ROOT, 'agent/bin/shoal-agent.js');
/** The command that runs `shoal-agent`: the checkout's by default, or a downloaded agent's launcher. */
const CHECKOUT_AGENT = [process.execPath, AGENT_BIN];
export const HAPROXY_AGENTS_EXAMPLE = path.join(REPO_ROOT, 'examples/load-balancers/haproxy-agents.cfg');

const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && !k.startsWith('SHOAL_'))) as Record<string, string>;

/** Runs `shoal-agent <args>` to completion. */
export function runAgentCli(args: string[], timeoutMs = 60_000, command = CHECKOUT_AGENT): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command[0]!, [...command.slice(1), ...args], { cwd: REPO_ROOT, env: cleanEnv(), timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
  });
}

export interface AgentProcess {
  child: ChildProcess;
  dataDir: string;
  output(): string;
  /** Waits until the agent's output matches. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<void>;
}

/** `shoal-agent run --data-dir DIR` as a real process. */
export function startAgent(dataDir: string, args: string[] = [], command = CHECKOUT_AGENT): AgentProcess {
  const child = spawn(command[0]!, [...command.slice(1), 'run', '--data-dir', dataDir, ...args], { cwd: REPO_ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    dataDir,
    output: () => out,
    waitForOutput: (pattern, timeoutMs = 60_000) => waitFor(() => pattern.test(out), { timeoutMs, message: `agent ${dataDir} never said ${pattern}:\n${out}` }).then(() => {}),
    exited,
  };
}

/** The comms port a node printed at startup. */
export function commsPortOf(node: ShoalProcess): number {
  const m = /agents' comms port (\d+)/.exec(node.stdout());
  if (!m) throw new Error(`${node.nodeName} did not say its comms port:\n${node.output()}`);
  return Number(m[1]);
}

/**
 * HAProxy with the repository's agents example, its `bind` on `port` and its `server` lines
 * replaced by these (a server marked `backup` takes connections only while the others are down).
 */
export async function startCommsHaproxy(dir: string, port: number, servers: { name: string; port: number; backup?: boolean }[]): Promise<{ url: string; stop(): Promise<void> }> {
  const lines = fs
    .readFileSync(HAPROXY_AGENTS_EXAMPLE, 'utf8')
    .split('\n')
    .filter((l) => !/^\s*server\s/.test(l))
    .map((l) => (/^\s*bind\s/.test(l) ? `    bind 127.0.0.1:${port}` : l));
  while (lines.at(-1) === '') lines.pop();
  lines.push(...servers.map((s) => `    server ${s.name} 127.0.0.1:${s.port} check${s.backup ? ' backup' : ''}`), '');
  const file = path.join(dir, 'haproxy-agents.cfg');
  fs.writeFileSync(file, lines.join('\n'));
  const child = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`haproxy exited: ${output}`);
      return new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
        s.on('error', () => resolve(false));
      });
    },
    { timeoutMs: 15_000, message: 'HAProxy did not listen on the comms frontend' },
  );
  return {
    url: `https://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/**
 * A step script that starts a child process and waits: each target writes the script's pid
 * and the child's to `<prefix>.<target name>.script` and `.child`.
 */
export const scriptWithChild = (prefix: string): string =>
  `sleep 300 & echo $! > '${prefix}.'$SHOAL_TARGET_NAME.child; echo $$ > '${prefix}.'$SHOAL_TARGET_NAME.script; wait`;

/** The pids `scriptWithChild` wrote, once every one of `targets` has written both. */
export function pidsOfScriptsWithChild(prefix: string, targets: string[]): Promise<number[]> {
  const files = targets.flatMap((t) => [`${prefix}.${t}.child`, `${prefix}.${t}.script`]);
  const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8').trim() : '');
  return waitFor(() => (files.every(read) ? files.map((f) => Number(read(f))) : undefined), { timeoutMs: 60_000, message: 'the scripts did not start' });
}
