import { execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { selfSignedCertificate } from '../helpers/selfSignedCertificate.js';
import { summarize } from './stats.js';

const run = promisify(execFile);

export interface TlsFloorResult {
  mib: number;
  /** CPU (user + system) of one download to a file, less that of an empty download (start-up, handshake), median of the rounds, ms. */
  nodeCpuMs: number;
  curlCpuMs: number;
  /** curl's CPU ÷ Node's for the same download. */
  ratio: number;
}

/** A Node HTTPS client downloading to a file as an agent does (1 MiB write buffer). */
const NODE_CLIENT = `
const https = require('node:https'), fs = require('node:fs');
const [url, out] = process.argv.slice(1);
const fail = (err) => { console.error(err.message); process.exit(1); };
https.get(url, { rejectUnauthorized: false }, (res) => {
  if (res.statusCode !== 200) fail(new Error('HTTP ' + res.statusCode));
  res.pipe(fs.createWriteStream(out, { highWaterMark: 1 << 20 })).on('error', fail);
}).on('error', fail);`;

/** A plain Node HTTPS server: the same TLS sender for both clients; /empty sends no bytes. */
const SERVER = `
const https = require('node:https'), fs = require('node:fs');
const [key, cert, file] = process.argv.slice(1);
const s = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (req, res) => {
  if (req.url === '/empty') return res.writeHead(200, { 'content-length': 0 }).end();
  res.writeHead(200, { 'content-length': fs.statSync(file).size });
  fs.createReadStream(file, { highWaterMark: 1 << 20 }).pipe(res);
});
s.listen(0, '127.0.0.1', () => console.log(s.address().port));`;

/** CPU of a command and its children, ms: bash's `times` after it (its second line, the children's user and system time). */
async function cpuMsOf(command: string[]): Promise<number> {
  const { stdout } = await run('bash', ['-c', '"$@" > /dev/null && times', 'bash', ...command], { env: { ...process.env, LC_ALL: 'C' } });
  const children = stdout.trim().split('\n').at(-1)!;
  const secs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  if (secs.length !== 2) throw new Error(`could not read the CPU time from bash's times: ${JSON.stringify(stdout)}`);
  return Math.round((secs[0]! + secs[1]!) * 1000);
}

/**
 * What receiving over TLS costs a Node process against curl, one download at a time from the
 * same Node HTTPS server, each less an empty download (process start, TLS handshake). The
 * fan-out runs 10 receivers and the sender on 2 cores, so CPU is what runs out: agents are
 * Node processes, the baseline is curl, and this says how much of the gap is the runtime's
 * TLS and stream path rather than the agent's own work.
 */
export async function tlsFloor(dir: string, mib: number, rounds = 3): Promise<TlsFloorResult> {
  const key = path.join(dir, 'tls-floor.key');
  const cert = path.join(dir, 'tls-floor.crt');
  const tls = await selfSignedCertificate();
  fs.writeFileSync(key, tls.key);
  fs.writeFileSync(cert, tls.cert);
  const file = path.join(dir, 'tls-floor.bin');
  fs.writeFileSync(file, crypto.randomBytes(mib * 1024 * 1024));
  const server = spawn(process.execPath, ['-e', SERVER, key, cert, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<string>((resolve, reject) => {
      server.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
      server.once('exit', (code) => reject(new Error(`the TLS floor's server exited (${code})`)));
    });
    const out = path.join(dir, 'tls-floor.out');
    const nodeGet = (p: string) => cpuMsOf([process.execPath, '-e', NODE_CLIENT, `https://127.0.0.1:${port}${p}`, out]);
    const curlGet = (p: string) => cpuMsOf(['curl', '-sSfk', '-o', out, `https://127.0.0.1:${port}${p}`]);
    const node: number[] = [];
    const curl: number[] = [];
    for (let i = 0; i < rounds; i++) {
      node.push((await nodeGet('/')) - (await nodeGet('/empty')));
      curl.push((await curlGet('/')) - (await curlGet('/empty')));
    }
    const nodeCpuMs = summarize(node).p50;
    const curlCpuMs = summarize(curl).p50;
    return { mib, nodeCpuMs, curlCpuMs, ratio: Math.round((curlCpuMs / nodeCpuMs) * 100) / 100 };
  } finally {
    server.kill();
    fs.rmSync(file, { force: true });
  }
}
