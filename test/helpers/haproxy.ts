import { spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { REPO_ROOT } from './repo.js';
import { trackChild } from './teardown.js';
import { waitFor } from '../../server-core/src/testing/wait.js';

export const HAPROXY_EXAMPLE = path.join(REPO_ROOT, 'examples/load-balancers/haproxy.cfg');

export const HAPROXY_TLS_EXAMPLE = path.join(REPO_ROOT, 'examples/load-balancers/haproxy-tls.cfg');

export interface ExampleOptions {
  /** Which example (default: the plain HTTP one). */
  example?: string;
  /** Local ports for the example's `*:80` and `*:443` binds (the plain example has only one bind). */
  ports?: { http?: number; https?: number };
  /** The PEM (certificate and key) for `ssl crt`. */
  pem?: string;
}

/**
 * A repository example HAProxy config with only its `bind` addresses, its certificate path
 * and its `server` lines rewritten to local ones, so the shipped example is what the tests
 * exercise.
 */
export function haproxyConfig(port: number, servers: { name: string; port: number }[], o: ExampleOptions = {}): string {
  const text = fs.readFileSync(o.example ?? HAPROXY_EXAMPLE, 'utf8');
  const lines = text.split('\n').filter((l) => !/^\s*server\s/.test(l));
  const bind = (l: string) => {
    if (/\*:443/.test(l)) return l.replace('*:443', `127.0.0.1:${o.ports?.https ?? port}`).replace(/crt \S+/, `crt ${o.pem}`);
    if (/\*:80\b/.test(l) && o.ports?.http) return l.replace('*:80', `127.0.0.1:${o.ports.http}`);
    return `    bind 127.0.0.1:${port}`;
  };
  const out = lines.map((l) => (/^\s*bind\s/.test(l) ? bind(l) : l));
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
  /** With `adminSocket`: each server's status as HAProxy sees it (UP, DOWN, MAINT, or a transition like "UP 1/2"). */
  serverStates(): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

/** The config with HAProxy's runtime API on a Unix socket (`show stat`). */
function withAdminSocket(config: string, socket: string): string {
  return config.replace(/^global\n/m, `global\n    stats socket ${socket} mode 600 level admin\n`);
}

/** `show stat` over the runtime API: the status column of each server of the backend. */
function showServerStates(socket: string): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    let text = '';
    const conn = net.connect(socket, () => conn.end('show stat\n'));
    conn.setEncoding('utf8').on('data', (c: string) => (text += c));
    conn.once('error', reject);
    conn.once('close', () => {
      const [header, ...rows] = text.trim().split('\n');
      const columns = (header ?? '').replace(/^# /, '').split(',');
      const [sv, status] = [columns.indexOf('svname'), columns.indexOf('status')];
      const states: Record<string, string> = {};
      for (const row of rows.map((r) => r.split(','))) if (!['FRONTEND', 'BACKEND'].includes(row[sv]!)) states[row[sv]!] = row[status]!;
      resolve(states);
    });
  });
}

/** The config with one log line per request on HAProxy's stdout. */
function withRequestLog(config: string): string {
  return config.replace(/^global\n/m, 'global\n    log stdout format raw local0\n').replace(/^defaults\n/m, 'defaults\n    log global\n    option httplog\n');
}

/** Runs Debian's HAProxy in the foreground on `port` with the example config. */
export async function startHaproxy(
  dir: string,
  port: number,
  servers: { name: string; port: number }[],
  o: ExampleOptions & { logRequests?: boolean; adminSocket?: boolean } = {},
): Promise<Haproxy> {
  const file = path.join(dir, 'haproxy.cfg');
  const socket = path.join(dir, 'haproxy.sock');
  let config = haproxyConfig(port, servers, o);
  if (o.logRequests) config = withRequestLog(config);
  if (o.adminSocket) config = withAdminSocket(config, socket);
  fs.writeFileSync(file, config);
  const child = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = o.pem ? `https://127.0.0.1:${o.ports?.https ?? port}` : `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`haproxy exited: ${output}`);
      const status = o.pem ? (await httpsGet(`${url}/api/nodes/ping`, fs.readFileSync(o.pem))).status : (await fetch(`${url}/api/nodes/ping`)).status;
      return status === 200;
    },
    { timeoutMs: 15_000, message: 'HAProxy did not route to a healthy node' },
  );
  return {
    url,
    requests: () => output.match(/ "(GET|POST|PUT|PATCH|DELETE|HEAD) /g)?.length ?? 0,
    serverStates: () => {
      if (!o.adminSocket) throw new Error('startHaproxy without adminSocket has no runtime API');
      return showServerStates(socket);
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** A GET over HTTPS trusting `ca` (fetch cannot take a CA here); the answer's status, headers and body. */
export function httpsGet(url: string, ca: Buffer, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, ca, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
