/**
 * Upload benchmark: a package streamed through HAProxy (the example config) to a real
 * `shoal run` node, against `dd` writing the same number of bytes to the same file system
 * in the same run (before and after), since machines here are shared and only ratios travel.
 * The upload fsyncs the file before publishing it, so dd runs with conv=fdatasync too.
 *
 *   node --import tsx test/bench/upload.ts [--size-mib N]   (also run by `npm run bench`)
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createApiKeyViaCli } from '../helpers/cli.js';
import { freePort } from '../helpers/freePort.js';
import { startHaproxy } from '../helpers/haproxy.js';
import { REPO_ROOT } from '../helpers/repo.js';
import { startShoalProcess } from '../helpers/shoalProcess.js';
import { teardown } from '../helpers/teardown.js';
import { printTable, writeJson } from './report.js';

const MiB = 1024 * 1024;
export const UPLOAD_TARGET_RATIO = 0.7;
/** Upload and dd alternate, so a neighbour's burst of I/O hits both sides alike. */
const ROUNDS = 2;

export interface UploadBenchResult {
  sizeMiB: number;
  dd: { label: string; ms: number; mibPerSec: number }[];
  ddMibPerSec: number;
  upload: { ms: number; mibPerSec: number; httpStatus: number; hashOk: boolean; viaHaproxy: boolean; runs: number[] };
  directRuns: number[];
  direct: { ms: number; mibPerSec: number };
  ratio: number;
  directRatio: number;
  rss: { baselineMiB: number; peakMiB: number; growthMiB: number };
  fsync: 'upload fsyncs before publishing; dd uses conv=fdatasync';
  pass: boolean;
}

const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

function dd(dir: string, sizeMiB: number, label: string) {
  const file = path.join(dir, 'dd.bin');
  const t0 = process.hrtime.bigint();
  execFileSync('dd', ['if=/dev/zero', `of=${file}`, 'bs=1M', `count=${sizeMiB}`, 'conv=fdatasync'], { stdio: 'ignore' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  fs.rmSync(file);
  return { label, ms: round(ms, 0), mibPerSec: round(sizeMiB / (ms / 1000)) };
}

/**
 * Sends `sizeMiB` MiB of one repeated 1 MiB block (cheap to produce, so the client costs
 * little CPU on a shared machine) as a chunked multipart upload; the expected SHA-256 is
 * computed beforehand.
 */
async function upload(url: string, apiKey: string, name: string, sizeMiB: number, pid: number) {
  const block = crypto.randomBytes(MiB);
  const expected = crypto.createHash('sha256');
  for (let i = 0; i < sizeMiB; i++) expected.update(block);
  const hash = expected.digest('hex');
  const boundary = `----shoalbench${crypto.randomBytes(6).toString('hex')}`;
  let peak = rssOf(pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 50);
  const t0 = process.hrtime.bigint();
  const res = await new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'content-type': `multipart/form-data; boundary=${boundary}`, 'transfer-encoding': 'chunked' },
    });
    req.on('error', reject);
    req.on('response', (r) => {
      let text = '';
      r.setEncoding('utf8').on('data', (c) => (text += c));
      r.on('end', () => resolve({ status: r.statusCode ?? 0, body: JSON.parse(text || '{}') }));
    });
    req.write(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${name}"\r\n\r\n`);
    let sent = 0;
    const pump = () => {
      while (sent < sizeMiB) {
        sent++;
        if (!req.write(block)) return void req.once('drain', pump);
      }
      req.end(`\r\n--${boundary}--\r\n`);
    };
    pump();
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  clearInterval(sampler);
  if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${JSON.stringify(res.body)}`);
  return { ms: round(ms, 0), mibPerSec: round(sizeMiB / (ms / 1000)), httpStatus: res.status, hashOk: res.body.hash === hash, peak };
}

export async function runUploadBench(o: { sizeMiB?: number } = {}): Promise<UploadBenchResult> {
  const sizeMiB = o.sizeMiB ?? 1024;
  const say = (s: string) => process.stderr.write(`bench (upload): ${s}\n`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-bench-upload-'));
  try {
    const node = await startShoalProcess({ dataDir: path.join(dir, 'node'), nodeName: 'bench-upload', env: { SHOAL_LOG_LEVEL: 'warn' } });
    const apiKey = await createApiKeyViaCli(node.dataDir, 'bench');
    const lb = await startHaproxy(dir, await freePort(), [{ name: node.nodeName, port: node.port }]);
    const raw = (base: string) => `${base}/api/Spaces-1/packages/raw`;
    const packages = path.join(node.dataDir, 'storage', 'packages', 'Spaces-1');

    say(`${sizeMiB} MiB, ${ROUNDS} rounds of: dd (conv=fdatasync), upload through HAProxy, upload straight to the node; then dd once more — all in ${dir}`);
    const ddRuns: UploadBenchResult['dd'] = [];
    const viaLbRuns: Awaited<ReturnType<typeof upload>>[] = [];
    const directRuns: Awaited<ReturnType<typeof upload>>[] = [];
    const baseline = rssOf(node.pid);
    for (let r = 1; r <= ROUNDS; r++) {
      ddRuns.push(dd(dir, sizeMiB, `dd round ${r}`));
      viaLbRuns.push(await upload(raw(lb.url), apiKey, `Bench.Upload.${r}.0.0.zip`, sizeMiB, node.pid));
      fs.rmSync(path.join(packages, `Bench.Upload.${r}.0.0.zip`));
      directRuns.push(await upload(raw(node.url), apiKey, `Bench.Direct.${r}.0.0.zip`, sizeMiB, node.pid));
      fs.rmSync(path.join(packages, `Bench.Direct.${r}.0.0.zip`));
    }
    ddRuns.push(dd(dir, sizeMiB, 'dd last'));
    await lb.stop();
    await node.stop();
    const mean = (xs: number[]) => round(xs.reduce((s, x) => s + x, 0) / xs.length);
    const viaLb = { ...viaLbRuns[0]!, mibPerSec: mean(viaLbRuns.map((u) => u.mibPerSec)), ms: mean(viaLbRuns.map((u) => u.ms)), hashOk: viaLbRuns.every((u) => u.hashOk), peak: Math.max(...viaLbRuns.map((u) => u.peak)) };
    const direct = { ...directRuns[0]!, mibPerSec: mean(directRuns.map((u) => u.mibPerSec)), ms: mean(directRuns.map((u) => u.ms)), peak: Math.max(...directRuns.map((u) => u.peak)) };

    const ddMibPerSec = mean(ddRuns.map((d) => d.mibPerSec));
    const peak = Math.max(viaLb.peak, direct.peak);
    const result: UploadBenchResult = {
      sizeMiB,
      dd: ddRuns,
      ddMibPerSec,
      upload: { ms: viaLb.ms, mibPerSec: viaLb.mibPerSec, httpStatus: viaLb.httpStatus, hashOk: viaLb.hashOk, viaHaproxy: true, runs: viaLbRuns.map((u) => u.mibPerSec) },
      directRuns: directRuns.map((u) => u.mibPerSec),
      direct: { ms: direct.ms, mibPerSec: direct.mibPerSec },
      ratio: round(viaLb.mibPerSec / ddMibPerSec, 3),
      directRatio: round(direct.mibPerSec / ddMibPerSec, 3),
      rss: { baselineMiB: round(baseline / MiB), peakMiB: round(peak / MiB), growthMiB: round((peak - baseline) / MiB) },
      fsync: 'upload fsyncs before publishing; dd uses conv=fdatasync',
      pass: viaLb.hashOk && viaLb.mibPerSec / ddMibPerSec >= UPLOAD_TARGET_RATIO,
    };
    printTable(`Package upload, ${sizeMiB} MiB, vs dd to the same file system (MiB/s)`, [
      ['measure', 'value'],
      ...ddRuns.map((d) => [`${d.label} (bs=1M conv=fdatasync)`, d.mibPerSec]),
      ...viaLbRuns.map((u, i) => [`upload through HAProxy, round ${i + 1} (chunked multipart)`, u.mibPerSec]),
      ...directRuns.map((u, i) => [`upload straight to the node, round ${i + 1}`, u.mibPerSec]),
      ['dd mean', ddMibPerSec],
      ['upload through HAProxy mean', viaLb.mibPerSec],
      [`ratio HAProxy upload ÷ dd (target ≥ ${UPLOAD_TARGET_RATIO})`, `${result.ratio} ${result.pass ? 'pass' : 'MISS'}`],
      ['ratio direct upload ÷ dd', result.directRatio],
      ['server SHA-256 matches', String(viaLb.hashOk)],
      ['node RSS baseline → peak MiB', `${result.rss.baselineMiB} → ${result.rss.peakMiB} (+${result.rss.growthMiB})`],
    ]);
    const file = writeJson(path.join(REPO_ROOT, 'bench-results'), 'upload.json', {
      when: new Date().toISOString(),
      machine: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadavg: os.loadavg() },
      ...result,
    });
    process.stdout.write(`\nWrote ${path.relative(process.cwd(), file) || file}\n`);
    return result;
  } finally {
    await teardown();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--size-mib');
  await runUploadBench({ sizeMiB: i > 0 ? Number(process.argv[i + 1]) : undefined }).catch((err) => {
    process.stderr.write(`bench (upload) failed: ${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  });
}
