/**
 * Polling agents (real `shoal-agent` processes) on a three-node PostgreSQL cluster, polling
 * through HAProxy's TCP frontend (the repository's example): registration by API key and by
 * one-time token, and what is refused; a 20 s script step on three agents that survives
 * kill -9 of the node that handed the work out (each script runs once, the agents report
 * through another node, the deployment ends with its real result); an agent killed mid-step
 * fails its target once its lease runs out.
 *
 * HAProxy sends agents to node2 while it lives (node3, then node1, are backups) and node2 runs
 * no tasks (cap 0), so the node that hands the work out is never the node that runs the deployment.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { ShoalClient } from '../helpers/apiClient.js';
import { commsPortOf, runAgentCli, startAgent, startCommsHaproxy, type AgentProcess } from '../helpers/agents.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { SPACE, waitForDeployment } from '../helpers/deployments.js';
import { freePort } from '../helpers/freePort.js';
import { selfSignedCertificate } from '../helpers/selfSignedCertificate.js';
import { taskLog } from '../helpers/tasks.js';
import { teardown } from '../helpers/teardown.js';
import { waitFor } from '../../server-core/src/testing/wait.js';

const count = (text: string, needle: string) => text.split(needle).length - 1;
const AGENTS = ['web-a', 'web-b', 'web-c'];

describe('polling agents on a three-node cluster behind HAProxy', { timeout: 600_000 }, () => {
  let cluster: Cluster;
  let api: ShoalClient;
  let apiKey: string;
  let commsUrl: string;
  let db: pg.Client;
  let devId: string;
  const agents: Record<string, AgentProcess> = {};
  let runsFile: string;
  let release: string;

  before(async () => {
    cluster = await startCluster(3, 5);
    const [node1, node2, node3] = cluster.nodes as [typeof cluster.nodes[0], typeof cluster.nodes[0], typeof cluster.nodes[0]];
    api = await ShoalClient.login(node1.url, 'admin', node1.adminPassword);
    apiKey = await api.createApiKey('agents');
    await api.call('PATCH', '/api/nodes/node2', { taskCap: 0 }, 200);
    const lb = await startCommsHaproxy(cluster.dir, await freePort(), [
      { name: 'node2', port: commsPortOf(node2) },
      { name: 'node3', port: commsPortOf(node3), backup: true },
      { name: 'node1', port: commsPortOf(node1), backup: true },
    ]);
    commsUrl = lb.url;
    devId = (await api.post(`${SPACE}/environments`, { name: 'Dev' })).id;
    db = new pg.Client({ connectionString: cluster.databaseUrl });
    await db.connect();
    runsFile = path.join(cluster.dir, 'runs.log');
    const script = [
      `echo "$SHOAL_TARGET_NAME" >> '${runsFile}'`,
      'echo "started on $SHOAL_TARGET_NAME"',
      'sleep 20',
      'for i in 1 2 3; do echo "line $i of $SHOAL_TARGET_NAME says #{Greeting}"; done',
    ].join('\n');
    const project = await api.post(`${SPACE}/projects`, { name: 'Web' });
    await api.call('PUT', `${SPACE}/projects/${project.id}/process`, { steps: [{ name: 'Greet', action: 'RunScript', runOn: 'targets', roles: ['web'], properties: { script, syntax: 'bash' } }] }, 200);
    await api.call('PUT', `${SPACE}/projects/${project.id}/variables`, { variables: [{ name: 'Greeting', value: 'hello' }] }, 200);
    release = (await api.post(`${SPACE}/releases`, { projectId: project.id })).id;
  });
  after(async () => {
    await db?.end();
    await teardown();
  });

  const dirOf = (name: string) => path.join(cluster.dir, `agent-${name}`);
  const register = (name: string, credential: string[]) =>
    runAgentCli(['register', '--server', cluster.nodes[0]!.url, ...credential, '--name', name, '--environment', 'Dev', '--role', 'web', '--comms', commsUrl, '--data-dir', dirOf(name)]);
  const newToken = async () => (await api.post(`${SPACE}/targets/registration-tokens`, { environmentIds: [devId], roles: ['web'] })).token as string;

  it('registers with an API key and with a one-time token; refuses wrong, expired and reused tokens, unregistered certificates and a foreign cluster', async () => {
    const token = await newToken();
    const a = await register('web-a', ['--token', token]);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /Registered web-a as Machines-\d+; it polls https:\/\/127\.0\.0\.1:\d+/);
    const reused = await register('web-x', ['--token', token]);
    assert.equal(reused.code, 1);
    assert.match(reused.stderr, /already been used/);
    const wrong = await register('web-x', ['--token', 'shoal-reg-wrong']);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /not valid/);
    const late = await newToken();
    await db.query('update target_registration_tokens set expires_at = 1 where used_at is null');
    const expired = await register('web-x', ['--token', late]);
    assert.equal(expired.code, 1);
    assert.match(expired.stderr, /expired/);
    const b = await register('web-b', ['--api-key', apiKey]);
    assert.equal(b.code, 0, b.stderr);
    const c = await register('web-c', ['--token', await newToken()]);
    assert.equal(c.code, 0, c.stderr);
    const targets = await api.get(`${SPACE}/targets`);
    assert.deepEqual(targets.map((t: { name: string }) => t.name), ['web-a', 'web-b', 'web-c']);

    // Another certificate with web-a's registration: every node refuses it, saying so.
    const stranger = dirOf('stranger');
    fs.mkdirSync(stranger, { recursive: true });
    fs.copyFileSync(path.join(dirOf('web-a'), 'registration.json'), path.join(stranger, 'registration.json'));
    const s = startAgent(stranger);
    await s.waitForOutput(/poll failed \(The certificate [0-9A-F]{64} is not registered to any deployment target/);
    s.child.kill('SIGKILL');
    await waitFor(() => /is not registered to any target/.test(cluster.nodes[1]!.stdout()), { timeoutMs: 10_000, message: 'node2 did not log the refusal' });

    // web-a's identity pinning another cluster's certificate: the agent refuses the real cluster.
    const foreign = dirOf('foreign');
    fs.mkdirSync(foreign, { recursive: true });
    for (const f of ['agent.key', 'agent.crt']) fs.copyFileSync(path.join(dirOf('web-a'), f), path.join(foreign, f));
    const other = await selfSignedCertificate('another cluster');
    const reg = JSON.parse(fs.readFileSync(path.join(dirOf('web-a'), 'registration.json'), 'utf8'));
    fs.writeFileSync(path.join(foreign, 'registration.json'), JSON.stringify({ ...reg, clusterCertificate: other.cert, clusterThumbprint: new crypto.X509Certificate(other.cert).fingerprint256.replace(/:/g, '') }));
    const f = startAgent(foreign);
    await f.waitForOutput(/not the pinned cluster certificate/);
    f.child.kill('SIGKILL');

    for (const name of AGENTS) agents[name] = startAgent(dirOf(name));
    // The first health check runs as soon as each agent connects.
    await waitFor(async () => {
      const list = await api.get(`${SPACE}/targets`);
      return list.every((t: { status: string }) => t.status === 'Healthy') ? list : undefined;
    }, { timeoutMs: 90_000, message: 'the agents did not become Healthy' });
    const seen = await api.get(`${SPACE}/targets`);
    for (const t of seen) {
      assert.equal(t.agentVersion, '0.1.0');
      assert.ok(t.lastHealthCheck);
    }
  });

  it('runs a 20 s script step on three agents; kill -9 of the node that handed the work out: each script runs once, reports through another node, and the deployment succeeds', async () => {
    const deployment = await api.post(`${SPACE}/deployments`, { releaseId: release, environmentId: devId });
    await waitFor(() => Object.values(agents).every((a) => count(a.output(), 'running a bash script') === 1), { timeoutMs: 60_000, message: 'the agents did not start the script' });
    const { rows } = await db.query("select claimed_by, state from agent_work where kind = 'Script'");
    assert.deepEqual(rows.map((r) => r.claimed_by), ['node2', 'node2', 'node2'], 'node2 handed the work out');
    cluster.nodes[1]!.child.kill('SIGKILL');
    const killedAt = Date.now();
    const done = await waitForDeployment(api, deployment.id, 120_000);
    assert.equal(done.state, 'Success', done.errorMessage ?? '');
    assert.deepEqual(fs.readFileSync(runsFile, 'utf8').trim().split('\n').sort(), AGENTS, 'each agent ran its script exactly once');
    // The results were recorded after the kill, so through a node that lives (same machine, same clock).
    const finished = await db.query("select ended_at from agent_work where kind = 'Script' and state = 'Success'");
    assert.equal(finished.rows.length, 3);
    for (const r of finished.rows) assert.ok(Number(r.ended_at) > killedAt, `a result recorded ${killedAt - Number(r.ended_at)} ms before node2 died`);
    for (const a of Object.values(agents)) assert.match(a.output(), /failed \(.*\); reconnecting in \d/, 'the agent said why it reconnected');
    const log = await taskLog(api, done.taskId);
    for (const t of AGENTS) {
      assert.equal(count(log, `started on ${t}`), 1, log);
      for (let i = 1; i <= 3; i++) assert.equal(count(log, `line ${i} of ${t} says hello`), 1, `line ${i} of ${t} lost or doubled:\n${log}`);
    }
    const details = await api.get(`/api/tasks/${done.taskId}/details`);
    const step = details.activities[0];
    assert.deepEqual(step.children.map((c: { name: string; state: string }) => `${c.name} ${c.state}`).sort(), AGENTS.map((t) => `${t} Success`));
  });

  it('an agent killed mid-step: its target fails once its lease runs out, the others succeed', async () => {
    const deployment = await api.post(`${SPACE}/deployments`, { releaseId: release, environmentId: devId });
    const runs = () => (fs.existsSync(runsFile) ? fs.readFileSync(runsFile, 'utf8') : '');
    await waitFor(() => AGENTS.every((t) => count(runs(), t) === 2), { timeoutMs: 60_000, message: 'the scripts did not start' });
    agents['web-a']!.child.kill('SIGKILL');
    const done = await waitForDeployment(api, deployment.id, 120_000);
    assert.equal(done.state, 'Failed');
    assert.match(done.errorMessage ?? '', /web-a/);
    const log = await taskLog(api, done.taskId);
    assert.match(log, /The agent on web-a stopped renewing its lease/);
    const details = await api.get(`/api/tasks/${done.taskId}/details`);
    assert.deepEqual(details.activities[0].children.map((c: { name: string; state: string }) => `${c.name} ${c.state}`).sort(), ['web-a Failed', 'web-b Success', 'web-c Success']);
    assert.equal(count(runs(), 'web-a'), 2);
    // Restarted, the agent does not run the failed work again: the next deployment's script is its third run.
    agents['web-a'] = startAgent(dirOf('web-a'));
    await agents['web-a'].waitForOutput(/connected to the cluster/);
    const next = await api.post(`${SPACE}/deployments`, { releaseId: release, environmentId: devId });
    assert.equal((await waitForDeployment(api, next.id, 120_000)).state, 'Success');
    assert.equal(count(runs(), 'web-a'), 3);
    assert.equal(count(agents['web-a'].output(), 'running a bash script'), 1);
  });
});
