/**
 * Agent benchmark (`npm run bench`, `--agents-only` alone): queue → script start of a step on a
 * polling agent that reaches a 3-node PostgreSQL cluster through HAProxy's TCP frontend, beside
 * the same step on the built-in worker (`runOn: "server"`) of the same cluster in the same run,
 * alternating one deployment of each. Both scripts stamp their start with `date` as their first
 * command, so bash's start is on both sides; the queue time is the deployment task's (the
 * database clock, on this machine).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ShoalClient } from '../helpers/apiClient.js';
import { commsPortOf, runAgentCli, startAgent, startCommsHaproxy } from '../helpers/agents.js';
import { startCluster } from '../helpers/cluster.js';
import { freePort } from '../helpers/freePort.js';
import { REPO_ROOT } from '../helpers/repo.js';
import { teardown } from '../helpers/teardown.js';
import { waitFor } from '../../server-core/src/testing/wait.js';
import { printTable, writeJson } from './report.js';
import { summarize } from './stats.js';

const SPACE = '/api/Spaces-1';
const TARGET_P50_MS = 50;
const say = (s: string) => process.stderr.write(`bench (agents): ${s}\n`);

export async function runAgentBench(o: { quick: boolean }): Promise<void> {
  const rounds = o.quick ? 10 : 40;
  try {
    say('a 3-node cluster, HAProxy in front of the comms ports, one polling agent');
    const cluster = await startCluster(3, 5);
    const api = await ShoalClient.login(cluster.nodes[0]!.url, 'admin', cluster.nodes[0]!.adminPassword);
    const lb = await startCommsHaproxy(cluster.dir, await freePort(), cluster.nodes.map((n) => ({ name: n.nodeName, port: commsPortOf(n) })));
    const envId = (await api.post(`${SPACE}/environments`, { name: 'Bench' })).id;
    const agentDir = path.join(cluster.dir, 'agent');
    const r = await runAgentCli(['register', '--server', cluster.nodes[0]!.url, '--api-key', await api.createApiKey('bench'), '--name', 'bench-agent', '--environment', 'Bench', '--role', 'bench', '--comms', lb.url, '--data-dir', agentDir]);
    if (r.code !== 0) throw new Error(`registering the agent failed: ${r.stderr}`);
    startAgent(agentDir);
    await waitFor(async () => (await api.get(`${SPACE}/targets`))[0]?.status === 'Healthy', { timeoutMs: 60_000, message: 'the agent did not become Healthy' });

    const stamps = path.join(cluster.dir, 'stamps');
    const releaseOf = async (name: string, step: Record<string, unknown>) => {
      const p = await api.post(`${SPACE}/projects`, { name });
      await api.call('PUT', `${SPACE}/projects/${p.id}/process`, { steps: [{ name: 'Stamp', action: 'RunScript', properties: { script: `date +%s%3N > '${stamps}'`, syntax: 'bash' }, ...step }] }, 200);
      return (await api.post(`${SPACE}/releases`, { projectId: p.id })).id as string;
    };
    const paths = { agent: await releaseOf('On the agent', { runOn: 'targets', roles: ['bench'] }), 'built-in worker': await releaseOf('On a node', { runOn: 'server' }) };
    const queueToStart: Record<keyof typeof paths, number[]> = { agent: [], 'built-in worker': [] };

    const once = async (where: keyof typeof paths) => {
      fs.rmSync(stamps, { force: true });
      const d = await api.post(`${SPACE}/deployments`, { releaseId: paths[where], environmentId: envId });
      const task = await waitFor(async () => {
        const t = await api.get(`/api/tasks/${d.taskId}`);
        return ['Success', 'Failed', 'Canceled', 'TimedOut'].includes(t.state) ? t : undefined;
      }, { timeoutMs: 60_000, intervalMs: 20, message: `${d.taskId} did not end` });
      if (task.state !== 'Success') throw new Error(`${d.taskId} (${where}) ended ${task.state}: ${task.errorMessage}`);
      queueToStart[where].push(Number(fs.readFileSync(stamps, 'utf8')) - Date.parse(task.queueTime));
    };
    // One of each first, unmeasured (first connections, first bash), then alternating.
    for (const where of Object.keys(paths) as (keyof typeof paths)[]) await once(where);
    queueToStart.agent.length = queueToStart['built-in worker'].length = 0;
    say(`${rounds} deployments on each path, alternating`);
    for (let i = 0; i < rounds; i++) for (const where of Object.keys(paths) as (keyof typeof paths)[]) await once(where);

    const agent = summarize(queueToStart.agent);
    const builtIn = summarize(queueToStart['built-in worker']);
    const ratio = { p50: Math.round((agent.p50 / builtIn.p50) * 100) / 100, p99: Math.round((agent.p99 / builtIn.p99) * 100) / 100 };
    printTable(`Queue → script start, ${rounds} sequential deployments per path on a 3-node cluster (ms)`, [
      ['path', 'p50', 'p90', 'p99', 'max'],
      ['polling agent through HAProxy', agent.p50, agent.p90, agent.p99, agent.max],
      ['built-in worker of a node', builtIn.p50, builtIn.p90, builtIn.p99, builtIn.max],
      ['ratio agent ÷ built-in', ratio.p50, '', ratio.p99, ''],
      [`target agent p50 ≤ ${TARGET_P50_MS} ms`, agent.p50 <= TARGET_P50_MS ? 'pass' : 'MISS', '', '', ''],
    ]);
    const file = writeJson(path.join(REPO_ROOT, 'bench-results'), 'agents.json', {
      when: new Date().toISOString(),
      machine: { node: process.version, cpus: os.cpus().length, loadavg: os.loadavg() },
      quick: o.quick,
      pickup: { rounds, nodes: 3, agentMs: agent, builtInWorkerMs: builtIn, ratio, target: { agentP50Ms: TARGET_P50_MS }, pass: agent.p50 <= TARGET_P50_MS },
    });
    process.stdout.write(`\nWrote ${path.relative(process.cwd(), file)}\n`);
  } finally {
    await teardown();
  }
}
