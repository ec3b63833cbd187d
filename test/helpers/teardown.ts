import type { ChildProcess } from 'node:child_process';

type Cleanup = () => void | Promise<void>;

const cleanups: Cleanup[] = [];
const children = new Set<ChildProcess>();

/** Registers work for `teardown()`; runs last-registered first. */
export function onTeardown(fn: Cleanup): void {
  cleanups.push(fn);
}

/** A child that must not outlive the test: SIGTERM at teardown, SIGKILL if it lingers, and SIGKILL if the runner exits first. */
export function trackChild(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

const running = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;

/** Stops tracked children (SIGTERM, then SIGKILL after `graceMs`) and runs registered cleanups. */
export async function teardown(graceMs = 5000): Promise<void> {
  const live = [...children].filter(running);
  await Promise.all(
    live.map(
      (c) =>
        new Promise<void>((resolve) => {
          const kill = setTimeout(() => c.kill('SIGKILL'), graceMs);
          c.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          c.kill('SIGTERM');
        }),
    ),
  );
  while (cleanups.length) {
    try {
      await cleanups.pop()!();
    } catch (err) {
      process.stderr.write(`teardown: ${(err as Error).message}\n`);
    }
  }
}

// Last resort when the runner dies or a test forgets teardown: nothing we spawned survives us.
process.once('exit', () => {
  for (const c of children) if (running(c)) c.kill('SIGKILL');
});
