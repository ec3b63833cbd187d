import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const PG_BIN = process.env.SHOAL_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const isRoot = process.getuid?.() === 0;

/** PostgreSQL refuses to run as root, so as root every server command runs as `postgres`. */
async function pgCommand(cmd: string, args: string[]): Promise<void> {
  const file = path.join(PG_BIN, cmd);
  if (isRoot) await run('runuser', ['-u', 'postgres', '--', file, ...args]);
  else await run(file, args);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface ThrowawayPostgres {
  port: number;
  /** URL of a database on this server (default: the maintenance database `postgres`). */
  url(database?: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server (fast shutdown, dropping connections; `immediate`: as if it crashed) and starts it again. */
  restart(mode?: 'fast' | 'immediate'): Promise<void>;
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
  /** Stops the server and deletes its files. */
  destroy(): Promise<void>;
}

let counter = 0;

/** A private PostgreSQL cluster on a free port, made with initdb and started with pg_ctl. */
export interface ThrowawayPostgresOptions {
  /** Addresses to listen on besides 127.0.0.1 (a veth of a test's network namespace). */
  extraListenAddresses?: string[];
  /** Networks (CIDR) whose clients are trusted, besides the loopback. */
  trustedNetworks?: string[];
  /**
   * Commits reach the OS before they are acknowledged (synchronous_commit on), so an
   * immediate shutdown — a crash — loses none. Off by default: faster, fine for most tests.
   */
  durableCommits?: boolean;
}

export async function startThrowawayPostgres(o: ThrowawayPostgresOptions = {}): Promise<ThrowawayPostgres> {
  if (!fs.existsSync(path.join(PG_BIN, 'initdb'))) {
    throw new Error(`PostgreSQL server binaries not found in ${PG_BIN} (install postgresql-15 or set SHOAL_PG_BIN)`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-pg-'));
  if (isRoot) await run('chown', ['postgres:postgres', dir]);
  const data = path.join(dir, 'data');
  const port = await freePort();
  await pgCommand('initdb', ['-D', data, '-A', 'trust', '-U', 'shoal', '--no-sync', '-E', 'UTF8', '--locale=C']);
  for (const net of o.trustedNetworks ?? []) fs.appendFileSync(path.join(data, 'pg_hba.conf'), `host all all ${net} trust\n`);
  const listen = ['127.0.0.1', ...(o.extraListenAddresses ?? [])].join(',');
  const opts = `-p ${port} -k ${dir} -c listen_addresses=${listen} -c fsync=off -c synchronous_commit=${o.durableCommits ? 'on' : 'off'} -c full_page_writes=off -c max_connections=300`;
  const startServer = () => pgCommand('pg_ctl', ['-D', data, '-o', opts, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  const stopServer = (mode: 'fast' | 'immediate' = 'fast') => pgCommand('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
  await startServer();
  const url = (database = 'postgres') => `postgres://shoal@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    async createDatabase(name = `shoal_test_${process.pid}_${++counter}`) {
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`create database "${name}"`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    async restart(mode = 'fast') {
      await stopServer(mode);
      await startServer();
    },
    stopServer: () => stopServer(),
    startServer,
    async destroy() {
      await pgCommand('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
