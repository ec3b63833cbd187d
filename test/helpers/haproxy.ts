import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './repo.js';
import { trackChild } from './teardown.js';
import { waitFor } from './waitFor.js';

export const HAPROXY_EXAMPLE = path.join(REPO_ROOT, 'examples/load-balancers/haproxy.cfg');

/**
 * The repository's example HAProxy config with only its `bind` and `server` lines
 * rewritten to local ports, so the shipped example is what the tests exercise.
 */
export function haproxyConfig(port: number, servers: { name: string; port: number }[]): string {
  const text = fs.readFileSync(HAPROXY_EXAMPLE, 'utf8');
  const lines = text.split('\n').filter((l) => !/^\s*server\s/.test(l));
  const out = lines.map((l) => (/^\s*bind\s/.test(l) ? `    bind 127.0.0.1:${port}` : l));
  const backend = out.findIndex((l) => /^backend\s/.test(l));
  if (backend < 0) throw new Error(`${HAPROXY_EXAMPLE} has no backend section`);
  let end = backend + 1;
  while (end < out.length && (out[end]!.startsWith(' ') || out[end] === '')) end++;
  while (out[end - 1] === '') end--;
  out.splice(end, 0, ...servers.map((s) => `    server ${s.name} 127.0.0.1:${s.port} check`));
  return out.join('\n');
}

export interface Haproxy {
  url: string;
  /** With `logRequests`: the requests it passed to a node so far (its own health checks are not counted). */
  requests(): number;
  stop(): Promise<void>;
}

/** The config with one log line per request on HAProxy's stdout. */
function withRequestLog(config: string): string {
  return config.replace(/^global\n/m, 'global\n    log stdout format raw local0\n').replace(/^defaults\n/m, 'defaults\n    log global\n    option httplog\n');
}

/** Runs Debian's HAProxy in the foreground on `port` with the example config. */
export async function startHaproxy(dir: string, port: number, servers: { name: string; port: number }[], o: { logRequests?: boolean } = {}): Promise<Haproxy> {
  const file = path.join(dir, 'haproxy.cfg');
  const config = haproxyConfig(port, servers);
  fs.writeFileSync(file, o.logRequests ? withRequestLog(config) : config);
  const child = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`haproxy exited: ${output}`);
      return (await fetch(`${url}/api/nodes/ping`)).status === 200;
    },
    { timeoutMs: 15_000, message: 'HAProxy did not route to a healthy node' },
  );
  return {
    url,
    requests: () => output.match(/ "(GET|POST|PUT|PATCH|DELETE|HEAD) /g)?.length ?? 0,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}
