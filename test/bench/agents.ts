/**
 * Agent benchmark (`npm run bench`, `--agents-only` alone):
 * 1. pickup: queue → script start of a step on a polling agent that reaches a 3-node PostgreSQL
 *    cluster through HAProxy's TCP frontend, beside the same step on the built-in worker
 *    (`runOn: "server"`) of the same cluster in the same run, alternating one deployment of
 *    each. Both scripts stamp their start with `date` as their first command, so bash's start
 *    is on both sides; the queue time is the deployment task's (the database clock, on this
 *    machine).
 *    Then the same with 500 idle polling agents held by the cluster (one process simulating them
 *    with the real agent's poll loop, idleAgents.ts), and each node's RSS and CPU over 20 quiet
 *    seconds without and with them.
 * 2. fan-out: a 100 MiB package deployed to 10 polling agents (processes on this machine) of a
 *    standalone node, from the deployment's start to the node's log of the last byte served,
 *    beside 10 parallel `curl` downloads of the same file from the same node's API, each
 *    written to a file and its SHA-256 checked (as an agent does before using it). The agents
 *    fetch over mutual TLS, curl over plain HTTP: the comparison favours curl.
 * 3. the TLS receive floor: the CPU one Node HTTPS download costs against curl's (tlsFloor.ts):
 *    how much of the fan-out gap is the runtime's, on a machine whose cores the receivers use up.
 */
import { execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as tar from 'tar';
import { ShoalClient } from '../helpers/apiClient.js';
import { commsPortOf, runAgentCli, startAgent, startCommsHaproxy } from '../helpers/agents.js';
import { startCluster } from '../helpers/cluster.js';
import { uploadPackage } from '../helpers/deployments.js';
import { freePort } from '../helpers/freePort.js';
import { startShoalProcess } from '../helpers/shoalProcess.js';
import { FINAL_STATES, waitForTaskState } from '../helpers/tasks.js';
import { tempDir } from '../helpers/tempDir.js';
import { REPO_ROOT } from '../helpers/repo.js';
import { teardown, trackChild } from '../helpers/teardown.js';
import { waitFor } from '../../server-core/src/testing/wait.js';
import { rssOf } from '../storage/upload.js';
import { processCpuMs } from './cluster/cpu.js';
import { printTable, writeJson } from './report.js';
import { summarize } from './stats.js';
import { tlsFloor } from './tlsFloor.js';

const SPACE = '/api/Spaces-1';
const TARGET_P50_MS = 50;
const TARGET_FAN_OUT_RATIO = 0.8;
const MiB = 1024 * 1024;
const say = (s: string) => process.stderr.write(`bench (agents): ${s}\n`);

/** Each node's RSS (MiB) at the end of a quiet window, and its CPU over it (% of one core). */
async function idleWindow(pids: number[], ms: number) {
  const cpu0 = pids.map(processCpuMs);
  await new Promise((r) => setTimeout(r, ms));
  return pids.map((pid, i) => ({ rssMiB: Math.round(rssOf(pid) / MiB), cpuPct: Math.round(((processCpuMs(pid) - cpu0[i]!) / ms) * 1000) / 10 }));
}

/** `count` idle polling agents in one child process (idleAgents.ts), polling through `commsUrl`; resolves once all poll. */
async function startIdleAgents(server: string, apiKey: string, commsUrl: string, count: number, dir: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test/bench/idleAgents.ts'), server, apiKey, commsUrl, String(count), dir], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`the idle agents exited: ${out}`);
    return /^ready \d+/m.test(out);
  }, { timeoutMs: 300_000, intervalMs: 200, message: `the idle agents did not start: ${out}` });
}

async function pickup(quick: boolean) {
  const rounds = quick ? 10 : 40;
  const idleAgents = quick ? 100 : 500;
  say('pickup: a 3-node cluster, HAProxy in front of the comms ports, one polling agent');
  const cluster = await startCluster(3, 5);
  const api = await ShoalClient.login(cluster.nodes[0]!.url, 'admin', cluster.nodes[0]!.adminPassword);
  const apiKey = await api.createApiKey('bench');
  const lb = await startCommsHaproxy(cluster.dir, await freePort(), cluster.nodes.map((n) => ({ name: n.nodeName, port: commsPortOf(n) })));
  const envId = (await api.post(`${SPACE}/environments`, { name: 'Bench' })).id;
  await api.post(`${SPACE}/environments`, { name: 'Idle' });
  const agentDir = path.join(cluster.dir, 'agent');
  const r = await runAgentCli(['register', '--server', cluster.nodes[0]!.url, '--api-key', apiKey, '--name', 'bench-agent', '--environment', 'Bench', '--role', 'bench', '--comms', lb.url, '--data-dir', agentDir]);
  if (r.code !== 0) throw new Error(`registering the agent failed: ${r.stderr}`);
  startAgent(agentDir);
  const healthy = async (n: number) => (await api.get(`${SPACE}/targets`)).filter((t: { status: string }) => t.status === 'Healthy').length >= n;
  await waitFor(() => healthy(1), { timeoutMs: 60_000, message: 'the agent did not become Healthy' });

  const stamps = path.join(cluster.dir, 'stamps');
  const releaseOf = async (name: string, step: Record<string, unknown>) => {
    const p = await api.post(`${SPACE}/projects`, { name });
    await api.call('PUT', `${SPACE}/projects/${p.id}/process`, { steps: [{ name: 'Stamp', action: 'RunScript', properties: { script: `date +%s%3N > '${stamps}'`, syntax: 'bash' }, ...step }] }, 200);
    return (await api.post(`${SPACE}/releases`, { projectId: p.id })).id as string;
  };
  const paths = { agent: await releaseOf('On the agent', { runOn: 'targets', roles: ['bench'] }), 'built-in worker': await releaseOf('On a node', { runOn: 'server' }) };
  type Path = keyof typeof paths;

  const once = async (where: Path) => {
    fs.rmSync(stamps, { force: true });
    const d = await api.post(`${SPACE}/deployments`, { releaseId: paths[where], environmentId: envId });
    const task = await waitForTaskState(api, d.taskId, FINAL_STATES, 60_000);
    if (task.state !== 'Success') throw new Error(`${d.taskId} (${where}) ended ${task.state}: ${task.errorMessage}`);
    return Number(fs.readFileSync(stamps, 'utf8')) - Date.parse(task.queueTime);
  };
  /** One of each first, unmeasured (first connections, first bash), then `rounds` of each, alternating. */
  const measure = async () => {
    const times: Record<Path, number[]> = { agent: [], 'built-in worker': [] };
    for (const where of Object.keys(paths) as Path[]) await once(where);
    for (let i = 0; i < rounds; i++) for (const where of Object.keys(paths) as Path[]) times[where].push(await once(where));
    return { agent: summarize(times.agent), builtIn: summarize(times['built-in worker']) };
  };
  const pids = cluster.nodes.map((n) => n.pid);

  say(`${rounds} deployments on each path, alternating; then each node idle for 20 s`);
  const alone = await measure();
  const idleAlone = await idleWindow(pids, 20_000);
  say(`${idleAgents} idle polling agents in one process, through HAProxy`);
  const s0 = performance.now();
  await startIdleAgents(cluster.nodes[0]!.url, apiKey, lb.url, idleAgents, path.join(cluster.dir, 'idle'));
  await waitFor(() => healthy(idleAgents + 1), { timeoutMs: 300_000, intervalMs: 1000, message: `the ${idleAgents} idle agents did not all become Healthy` });
  const allHealthyS = Math.round((performance.now() - s0) / 100) / 10;
  const idleHeld = await idleWindow(pids, 20_000);
  say(`${rounds} deployments on each path again, with them connected`);
  const held = await measure();

  const ratio = { p50: Math.round((alone.agent.p50 / alone.builtIn.p50) * 100) / 100, p99: Math.round((alone.agent.p99 / alone.builtIn.p99) * 100) / 100 };
  const row = (name: string, x: ReturnType<typeof summarize>) => [name, x.p50, x.p90, x.p99, x.max];
  printTable(`Queue → script start, ${rounds} sequential deployments per path on a 3-node cluster (ms)`, [
    ['path', 'p50', 'p90', 'p99', 'max'],
    row('polling agent through HAProxy', alone.agent),
    row('built-in worker of a node', alone.builtIn),
    ['ratio agent ÷ built-in', ratio.p50, '', ratio.p99, ''],
    [`target agent p50 ≤ ${TARGET_P50_MS} ms`, alone.agent.p50 <= TARGET_P50_MS ? 'pass' : 'MISS', '', '', ''],
    row(`polling agent, ${idleAgents} idle agents connected`, held.agent),
    row(`built-in worker, ${idleAgents} idle agents connected`, held.builtIn),
    ['ratio agent with ÷ without them', Math.round((held.agent.p50 / alone.agent.p50) * 100) / 100, '', Math.round((held.agent.p99 / alone.agent.p99) * 100) / 100, ''],
  ]);
  printTable(`Each node idle for 20 s, without and with ${idleAgents} idle agents holding polls (registered and all Healthy in ${allHealthyS} s)`, [
    ['node', 'RSS MiB', 'CPU %', `RSS MiB with ${idleAgents}`, `CPU % with ${idleAgents}`],
    ...cluster.nodes.map((n, i) => [n.nodeName, idleAlone[i]!.rssMiB, idleAlone[i]!.cpuPct, idleHeld[i]!.rssMiB, idleHeld[i]!.cpuPct]),
  ]);
  return {
    rounds,
    nodes: 3,
    agentMs: alone.agent,
    builtInWorkerMs: alone.builtIn,
    ratio,
    target: { agentP50Ms: TARGET_P50_MS },
    pass: alone.agent.p50 <= TARGET_P50_MS,
    idleAgents: { count: idleAgents, allHealthyS, agentMs: held.agent, builtInWorkerMs: held.builtIn, nodesIdle: idleAlone, nodesIdleWithAgents: idleHeld },
  };
}

/** A .tar.gz holding one file of random bytes (incompressible: the archive is as big as the file). */
async function randomPackage(dir: string, bytes: number): Promise<Buffer> {
  const src = path.join(dir, 'src');
  fs.mkdirSync(src, { recursive: true });
  fs.writeFileSync(path.join(src, 'blob.bin'), crypto.randomBytes(bytes));
  const file = path.join(dir, 'Fanout.1.0.0.tar.gz');
  await tar.c({ gzip: { level: 1 }, cwd: src, file, portable: true }, ['blob.bin']);
  return fs.readFileSync(file);
}

async function fanOut(quick: boolean) {
  const agents = quick ? 4 : 10;
  const size = (quick ? 20 : 100) * MiB;
  say(`fan-out: a ${size / MiB} MiB package to ${agents} polling agents of a standalone node, beside ${agents} parallel curl downloads`);
  const dir = tempDir('shoal-bench-fanout-');
  const node = await startShoalProcess({ dataDir: path.join(dir, 'node'), nodeName: 'fanout' });
  const api = await ShoalClient.login(node.url, 'admin', node.adminPassword);
  const apiKey = await api.createApiKey('bench');
  const envId = (await api.post(`${SPACE}/environments`, { name: 'Bench' })).id;
  const names = Array.from({ length: agents }, (_, i) => `agent-${i + 1}`);
  for (const name of names) {
    const r = await runAgentCli(['register', '--server', node.url, '--api-key', apiKey, '--name', name, '--environment', 'Bench', '--role', 'bench', '--data-dir', path.join(dir, name)]);
    if (r.code !== 0) throw new Error(`registering ${name} failed: ${r.stderr}`);
    startAgent(path.join(dir, name));
  }
  await waitFor(async () => (await api.get(`${SPACE}/targets`)).every((t: { status: string }) => t.status === 'Healthy'), { timeoutMs: 120_000, message: 'the agents did not become Healthy' });
  const bytes = await randomPackage(dir, size);
  await uploadPackage(api, 'Fanout.1.0.0.tar.gz', bytes);
  const project = await api.post(`${SPACE}/projects`, { name: 'Fan-out' });
  await api.call('PUT', `${SPACE}/projects/${project.id}/process`, { steps: [{ name: 'Install', action: 'DeployPackage', runOn: 'targets', roles: ['bench'], properties: { packageId: 'Fanout' } }] }, 200);
  const release = await api.post(`${SPACE}/releases`, { projectId: project.id });

  // Baseline first: the same file from the same node (plain HTTP), each copy to a file, then hashed.
  const url = `${node.url}${SPACE}/packages/Fanout/versions/1.0.0/raw`;
  const expected = crypto.createHash('sha256').update(bytes).digest('hex');
  const c0 = performance.now();
  await Promise.all(
    names.map(async (name) => {
      const copy = path.join(dir, `${name}.curl`);
      await promisify(execFile)('curl', ['-sSf', '-o', copy, '-H', `X-Api-Key: ${apiKey}`, url]);
      const { stdout } = await promisify(execFile)('sha256sum', [copy]);
      if (!stdout.startsWith(expected)) throw new Error(`curl's copy for ${name} is not the package`);
    }),
  );
  const curlMs = performance.now() - c0;

  const d = await api.post(`${SPACE}/deployments`, { releaseId: release.id, environmentId: envId });
  const task = await waitForTaskState(api, d.taskId, FINAL_STATES, 600_000);
  if (task.state !== 'Success') throw new Error(`the fan-out deployment ended ${task.state}: ${task.errorMessage}`);
  const served = node
    .stdout()
    .split('\n')
    .filter((l) => l.includes('served package bytes to an agent'))
    .map((l) => JSON.parse(l) as { time: number; bytes: number; complete: boolean; ms: number });
  if (served.length !== agents || !served.every((l) => l.complete && l.bytes === bytes.length)) throw new Error(`expected ${agents} whole transfers, the node logged ${JSON.stringify(served)}`);
  const started = Date.parse(task.startTime!);
  const agentsMs = Math.max(...served.map((l) => l.time)) - started;
  // Where the agents' time went: until each transfer began (work handed out, picked up, cache checked), and the transfers.
  const transfers = {
    firstBeganMs: Math.min(...served.map((l) => l.time - l.ms)) - started,
    lastBeganMs: Math.max(...served.map((l) => l.time - l.ms)) - started,
    durationMs: summarize(served.map((l) => l.ms)),
  };
  const total = agents * bytes.length;
  const rate = (ms: number) => Math.round((total / MiB / (ms / 1000)) * 10) / 10;
  const ratio = Math.round((curlMs / agentsMs) * 100) / 100;
  return { agents, packageMiB: Math.round((bytes.length / MiB) * 10) / 10, agentsMs: Math.round(agentsMs), curlMs: Math.round(curlMs), agentsMiBps: rate(agentsMs), curlMiBps: rate(curlMs), transfers, ratio, target: { ratio: TARGET_FAN_OUT_RATIO }, pass: ratio >= TARGET_FAN_OUT_RATIO };
}

export async function runAgentBench(o: { quick: boolean }): Promise<void> {
  try {
    const p = await pickup(o.quick);
    await teardown();
    const f = await fanOut(o.quick);
    const floor = await tlsFloor(tempDir('shoal-bench-tls-floor-'), f.packageMiB >= 100 ? 100 : 20);
    printTable(`Fan-out of a ${f.packageMiB} MiB package to ${f.agents} agents on this machine`, [
      ['path', 'ms', 'MiB/s (all together)'],
      ['agents (deployment start → last byte served, mutual TLS)', f.agentsMs, f.agentsMiBps],
      ['  of which: deployment start → first / last transfer began', `${f.transfers.firstBeganMs} / ${f.transfers.lastBeganMs}`, ''],
      ['  of which: one transfer, p50 / max', `${f.transfers.durationMs.p50} / ${f.transfers.durationMs.max}`, ''],
      [`${f.agents} parallel curl from the API to files, then sha256sum (plain HTTP)`, f.curlMs, f.curlMiBps],
      ['ratio agents ÷ curl (throughput)', f.ratio, ''],
      [`target ≥ ${TARGET_FAN_OUT_RATIO}`, f.pass ? 'pass' : 'MISS', ''],
    ]);
    printTable(`Receiving over TLS: CPU of one ${floor.mib} MiB download to a file from a plain Node HTTPS server, less an empty download (median)`, [
      ['client', 'CPU ms'],
      ['Node https (as an agent receives)', floor.nodeCpuMs],
      ['curl', floor.curlCpuMs],
      ['ratio curl ÷ Node (CPU for the same bytes)', floor.ratio],
    ]);
    const file = writeJson(path.join(REPO_ROOT, 'bench-results'), 'agents.json', {
      when: new Date().toISOString(),
      machine: { node: process.version, cpus: os.cpus().length, loadavg: os.loadavg() },
      quick: o.quick,
      pickup: p,
      fanOut: f,
      tlsReceiveFloor: floor,
    });
    process.stdout.write(`\nWrote ${path.relative(process.cwd(), file)}\n`);
  } finally {
    await teardown();
  }
}
