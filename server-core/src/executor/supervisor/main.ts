/**
 * A script's supervisor: a small process of its own, started by the node for every script.
 * It starts the script in a process group of its own and ends that whole tree when the
 * node can no longer stand behind it — at once when the node dies (its stdin pipe closes),
 * or when the node's lease runs out without a renewal (the node is frozen or cut off) — so
 * a task the cluster has ended produces no side effects afterwards.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { killProcessTree } from '../processTree.js';
import type { SupervisorReport, SupervisorSpec } from './protocol.js';

const report = (r: SupervisorReport) => {
  try {
    fs.writeSync(3, `${JSON.stringify(r)}\n`);
  } catch {
    // the node is gone
  }
};

let deadline = 0;
let pid: number | undefined;
let killing: Promise<void> | undefined;
let exited = false;

function kill(why: 'lease' | 'node-gone' | 'stop', graceMs: number): void {
  if (killing || exited || pid === undefined) {
    if (pid === undefined && why !== 'stop') process.exit(1);
    return;
  }
  report({ event: 'killed', why });
  killing = killProcessTree(pid, graceMs);
}

function onLine(line: string): void {
  const [word, value] = line.split(' ');
  if (word === 'renew') deadline = performance.now() + Number(value);
  else if (word === 'stop') kill('stop', Number(value));
}

function start(spec: SupervisorSpec): void {
  deadline = performance.now() + spec.leaseMs;
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    detached: true, // its own process group, so the kill reaches everything it starts
    stdio: ['ignore', 'inherit', 'inherit'],
    ...(spec.uid !== undefined ? { uid: spec.uid, gid: spec.gid } : {}),
  });
  child.once('error', (err) => {
    report({ event: 'spawn-error', code: (err as NodeJS.ErrnoException).code ?? '', message: err.message });
    process.exit(1);
  });
  if (child.pid === undefined) return;
  pid = child.pid;
  fs.writeFileSync(spec.leaderPidFile, String(pid));
  report({ event: 'started', pid });
  child.once('exit', (code, signal) => {
    exited = true;
    report({ event: 'exit', code, signal });
    // Wait for a kill in progress to reach the rest of the tree, then go.
    void Promise.resolve(killing).then(() => process.exit(0));
  });
  const watch = setInterval(() => {
    if (performance.now() > deadline) kill('lease', 0);
  }, 50);
  watch.unref();
}

let buffered = '';
let started = false;
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  buffered += chunk;
  let nl: number;
  while ((nl = buffered.indexOf('\n')) >= 0) {
    const line = buffered.slice(0, nl);
    buffered = buffered.slice(nl + 1);
    if (!started) {
      started = true;
      start(JSON.parse(line) as SupervisorSpec);
    } else onLine(line);
  }
});
// The node died (kill -9, crash) or closed the pipe: nothing will record this task now.
process.stdin.on('end', () => kill('node-gone', 0));
process.stdin.on('error', () => kill('node-gone', 0));
// A signal meant for the node's terminal session must not leave the script orphaned.
for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(s, () => kill('node-gone', 0));
