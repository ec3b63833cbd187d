import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './repo.js';
import { trackChild } from './teardown.js';
import { waitFor } from '../../server-core/src/testing/wait.js';

export const SHOAL_MANAGER_BIN = path.join(REPO_ROOT, 'manager/bin/shoal-manager.js');

export interface ShoalManagerProcess {
  child: ChildProcess;
  /** http://127.0.0.1:<port> */
  url: string;
  /** The printed link with its one-time token in the fragment. */
  link: string;
  token: string;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
}

/** Spawns `shoal-manager --no-open --port 0 …` and waits for the link it prints. */
export async function startShoalManager(args: string[], env: Record<string, string> = {}): Promise<ShoalManagerProcess> {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('SHOAL_')) clean[k] = v;
  const child = spawn(process.execPath, [SHOAL_MANAGER_BIN, '--no-open', '--port', '0', ...args], {
    cwd: REPO_ROOT,
    env: { ...clean, SHOAL_LOG_LEVEL: 'debug', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
  const m = await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`shoal-manager exited (${child.exitCode}):\n${out}`);
      return /(http:\/\/127\.0\.0\.1:\d+)\/#token=([A-Za-z0-9_-]+)/.exec(out);
    },
    { timeoutMs: 20_000, message: 'shoal-manager printed no link' },
  );
  return { child, url: m[1]!, link: m[0]!, token: m[2]!, output: () => out };
}

export interface Received {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * A browser's side of shoal-manager: the session cookie from the token exchange, the CSRF header
 * on writes, and a record of everything the manager sent back (to look for secrets in it).
 */
export class ManagerSession {
  readonly received: Received[] = [];
  constructor(
    readonly url: string,
    readonly cookie: string,
  ) {}

  static async open(manager: ShoalManagerProcess): Promise<ManagerSession> {
    const res = await fetch(`${manager.url}/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shoal-request': '1' },
      body: JSON.stringify({ token: manager.token }),
    });
    if (res.status !== 204) throw new Error(`token exchange answered ${res.status}: ${await res.text()}`);
    const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
    return new ManagerSession(manager.url, cookie);
  }

  /** Any request with the session (and X-Shoal-Request); the answer is recorded. */
  async request(method: string, urlPath: string, o: { body?: BodyInit; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<Received> {
    const res = await fetch(`${this.url}${urlPath}`, {
      method,
      headers: { cookie: this.cookie, 'x-shoal-request': '1', ...o.headers },
      body: o.body,
      signal: AbortSignal.timeout(o.timeoutMs ?? 30_000),
      duplex: 'half',
    } as RequestInit);
    const r = { status: res.status, headers: res.headers, text: await res.text() };
    this.received.push(r);
    return r;
  }

  async invoke<T = any>(channel: string, ...args: unknown[]): Promise<T> {
    const r = await this.request('POST', `/bridge/invoke/${channel}`, { body: JSON.stringify(args), headers: { 'content-type': 'application/json' } });
    if (r.status !== 200) throw new Error(`${channel} answered ${r.status}: ${r.text}`);
    return (JSON.parse(r.text) as { result: T }).result;
  }

  /** Every header and body the manager sent this session, as one text. */
  everythingReceived(): string {
    return this.received.map((r) => `${r.status}\n${[...r.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${r.text}`).join('\n');
  }
}
