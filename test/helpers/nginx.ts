import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './repo.js';
import { trackChild } from './teardown.js';
import { waitFor } from '../../server-core/src/testing/wait.js';

export const NGINX_EXAMPLE = path.join(REPO_ROOT, 'examples/load-balancers/nginx.conf');

/**
 * The repository's example nginx config, with only its `listen` and `server` lines
 * rewritten to local ports, wrapped in the main-context lines a standalone nginx needs
 * (the example is what goes in an `http {}` block).
 */
export function nginxConfig(dir: string, port: number, servers: number[]): string {
  const example = fs
    .readFileSync(NGINX_EXAMPLE, 'utf8')
    .split('\n')
    .filter((l) => !/^\s*server\s+\S+:\d+/.test(l))
    .map((l) => (/^\s*listen\s/.test(l) ? `    listen 127.0.0.1:${port};` : l))
    .join('\n')
    .replace(/upstream shoal_nodes \{/, `upstream shoal_nodes {\n${servers.map((p) => `    server 127.0.0.1:${p} max_fails=2 fail_timeout=10s;`).join('\n')}`);
  const temp = (name: string) => `${name} ${path.join(dir, name.replace(/_path$/, ''))};`;
  return [
    'daemon off;',
    `pid ${path.join(dir, 'nginx.pid')};`,
    `error_log ${path.join(dir, 'error.log')} warn;`,
    'events { worker_connections 256; }',
    'http {',
    '  access_log off;',
    ...['client_body_temp_path', 'proxy_temp_path', 'fastcgi_temp_path', 'uwsgi_temp_path', 'scgi_temp_path'].map((t) => `  ${temp(t)}`),
    example,
    '}',
  ].join('\n');
}

export interface Nginx {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Runs Debian's nginx in the foreground with the example config in front of `servers`. */
export async function startNginx(dir: string, port: number, servers: number[]): Promise<Nginx> {
  const file = path.join(dir, 'nginx.conf');
  fs.writeFileSync(file, nginxConfig(dir, port, servers));
  const child = spawn('nginx', ['-c', file, '-p', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  let output = '';
  child.stderr!.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`nginx exited: ${output}${fs.existsSync(path.join(dir, 'error.log')) ? fs.readFileSync(path.join(dir, 'error.log'), 'utf8') : ''}`);
      return (await fetch(`${url}/api/nodes/ping`)).status === 200;
    },
    { timeoutMs: 15_000, message: 'nginx did not route to the node' },
  );
  return {
    url,
    port,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGQUIT');
      await new Promise((r) => child.once('exit', r));
    },
  };
}
