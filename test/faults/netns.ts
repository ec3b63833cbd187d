import { execFileSync } from 'node:child_process';
import { onTeardown } from '../helpers/teardown.js';

export interface Namespace {
  name: string;
  /** The host's end of the veth pair (PostgreSQL listens here). */
  hostIp: string;
  /** The namespace's end (a node there listens here). */
  nsIp: string;
  subnet: string;
  /** `ip netns exec NAME`, to run a command inside. */
  prefix: string[];
  /** Runs a command inside the namespace. */
  exec(args: string[]): string;
}

const ip = (args: string[]) => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Namespaces an earlier run of this suite left behind (it died before its teardown). */
function removeAbandoned(): void {
  for (const line of ip(['netns', 'list']).split('\n')) {
    const m = /^(shoal-faults-(\d+))\b/.exec(line);
    if (!m) continue;
    try {
      process.kill(Number(m[2]), 0);
    } catch {
      ip(['netns', 'del', m[1]!]);
    }
  }
}

/**
 * A network namespace joined to the host by a veth pair, named after this test process
 * (so parallel runs and other engineers' do not collide), removed at teardown with the
 * veth and every iptables rule inside it. Needs root.
 */
export function createNamespace(): Namespace {
  removeAbandoned();
  const id = process.pid;
  const name = `shoal-faults-${id}`;
  const host = `sf${id}h`;
  const peer = `sf${id}n`;
  const net = `10.213.${id % 250}`;
  onTeardown(() => {
    try {
      ip(['netns', 'del', name]); // takes the veth pair and the namespace's iptables rules with it
    } catch {
      // already gone
    }
  });
  ip(['netns', 'add', name]);
  ip(['link', 'add', host, 'type', 'veth', 'peer', 'name', peer]);
  ip(['link', 'set', peer, 'netns', name]);
  ip(['addr', 'add', `${net}.1/30`, 'dev', host]);
  ip(['link', 'set', host, 'up']);
  const inside = (args: string[]) => execFileSync('ip', ['netns', 'exec', name, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  inside(['ip', 'addr', 'add', `${net}.2/30`, 'dev', peer]);
  inside(['ip', 'link', 'set', peer, 'up']);
  inside(['ip', 'link', 'set', 'lo', 'up']);
  return { name, hostIp: `${net}.1`, nsIp: `${net}.2`, subnet: `${net}.0/30`, prefix: ['ip', 'netns', 'exec', name], exec: inside };
}
