/**
 * Listening agents (real `shoal-agent` processes) on a standalone node: registered with an API
 * key and with a one-time token, they become Healthy when the node dials them; a script step
 * runs on two listening agents and a polling one together; canceling mid-step ends the
 * listening agents' scripts and their children; a second cluster's certificate is refused by
 * the agent and an agent with a certificate other than its target's is refused by the node; a
 * stopped listening agent shows Unavailable and its step target fails saying why; when the
 * node that dialed dies mid-step, the agent ends the script once its lease has run out.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ShoalClient } from '../helpers/apiClient.js';
import { pidsOfScriptsWithChild, runAgentCli, scriptWithChild, startAgent, type AgentProcess } from '../helpers/agents.js';
import { SPACE, waitForDeployment } from '../helpers/deployments.js';
import { freePort } from '../helpers/freePort.js';
import { startShoalProcess, type ShoalProcess } from '../helpers/shoalProcess.js';
import { FINAL_STATES, taskLog, waitForTaskState } from '../helpers/tasks.js';
import { teardown } from '../helpers/teardown.js';
import { tempDir } from '../helpers/tempDir.js';
import { isAlive } from '../../server-core/src/testing/processes.js';
import { waitFor } from '../../server-core/src/testing/wait.js';

interface TargetView {
  id: string;
  name: string;
  mode: string;
  address: string | null;
  status: string;
  statusSummary: string;
  agentVersion: string | null;
  lastHealthCheck: string | null;
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

describe('listening agents on a standalone node, with a polling one', { timeout: 600_000 }, () => {
  let dir: string;
  let node: ShoalProcess;
  let api: ShoalClient;
  let apiKey: string;
  let devId: string;
  let projectId: string;
  const ports: Record<string, number> = {};
  const agents: Record<string, AgentProcess> = {};
  const dirOf = (name: string) => path.join(dir, name);
  const targets = async () => (await api.get(`${SPACE}/targets`)) as TargetView[];
  const target = async (name: string) => (await targets()).find((t) => t.name === name)!;
  const registerListening = (server: string, name: string, credential: string[], role = 'web') =>
    runAgentCli(['register', '--server', server, ...credential, '--name', name, '--environment', 'Dev', '--role', role, '--mode', 'listening', '--listen-port', String(ports[name]), '--public-url', `https://127.0.0.1:${ports[name]}`, '--data-dir', dirOf(name)]);
  const healthCheck = async (client: ShoalClient, targetId: string) => {
    const t = await client.call('POST', '/api/tasks', { kind: 'HealthCheck', arguments: { targetIds: [targetId] } }, 201);
    return waitForTaskState(client, t.id, FINAL_STATES, 120_000);
  };

  before(async () => {
    dir = tempDir('shoal-listening-');
    node = await startShoalProcess({ dataDir: dirOf('node'), nodeName: 'solo' });
    api = await ShoalClient.login(node.url, 'admin', node.adminPassword);
    apiKey = await api.createApiKey('agents');
    devId = (await api.post(`${SPACE}/environments`, { name: 'Dev' })).id;
    for (const name of ['listen-key', 'listen-token', 'stranger']) ports[name] = await freePort();
    const project = await api.post(`${SPACE}/projects`, { name: 'Web' });
    projectId = project.id;
    await api.call('PUT', `${SPACE}/projects/${projectId}/variables`, { variables: [{ name: 'Greeting', value: 'hello' }] }, 200);
  });
  after(() => teardown());

  const deployScript = async (script: string) => {
    await api.call('PUT', `${SPACE}/projects/${projectId}/process`, { steps: [{ name: 'Run', action: 'RunScript', runOn: 'targets', roles: ['web'], properties: { script, syntax: 'bash' } }] }, 200);
    const release = await api.post(`${SPACE}/releases`, { projectId });
    return api.post(`${SPACE}/deployments`, { releaseId: release.id, environmentId: devId });
  };

  it('registers listening agents with an API key and with a token; the node dials them and they turn Healthy', async () => {
    const byKey = await registerListening(node.url, 'listen-key', ['--api-key', apiKey]);
    assert.equal(byKey.code, 0, byKey.stderr);
    assert.match(byKey.stdout, new RegExp(`Registered listen-key as Machines-\\d+; nodes dial it at https://127\\.0\\.0\\.1:${ports['listen-key']} \\(open TCP port ${ports['listen-key']} to them\\)`));
    const token = (await api.post(`${SPACE}/targets/registration-tokens`, { environmentIds: [devId], roles: ['web'] })).token as string;
    const byToken = await registerListening(node.url, 'listen-token', ['--token', token]);
    assert.equal(byToken.code, 0, byToken.stderr);
    const polling = await runAgentCli(['register', '--server', node.url, '--api-key', apiKey, '--name', 'poll', '--environment', 'Dev', '--role', 'web', '--data-dir', dirOf('poll')]);
    assert.equal(polling.code, 0, polling.stderr);
    const listed = await target('listen-key');
    assert.equal(listed.mode, 'Listening');
    assert.equal(listed.address, `https://127.0.0.1:${ports['listen-key']}`);

    // Registered before they run: the first health check keeps dialing while they start.
    for (const name of ['listen-key', 'listen-token', 'poll']) agents[name] = startAgent(dirOf(name));
    await agents['listen-key']!.waitForOutput(new RegExp(`listens on port ${ports['listen-key']} for the cluster's nodes`));
    const healthy = await waitFor(async () => {
      const list = await targets();
      return list.length === 3 && list.every((t) => t.status === 'Healthy') ? list : undefined;
    }, { timeoutMs: 120_000, message: 'the agents did not become Healthy' });
    for (const t of healthy) {
      assert.equal(t.agentVersion, '0.1.0');
      assert.ok(t.lastHealthCheck);
    }
    await agents['listen-token']!.waitForOutput(/received HealthCheck work/);
  });

  it('runs a script step on two listening agents and a polling agent together', async () => {
    const d = await deployScript('echo "started on $SHOAL_TARGET_NAME"\nfor i in 1 2 3; do echo "line $i of $SHOAL_TARGET_NAME says #{Greeting}"; done\necho "to stderr" >&2');
    const done = await waitForDeployment(api, d.id, 120_000);
    assert.equal(done.state, 'Success', done.errorMessage ?? '');
    const log = await taskLog(api, done.taskId);
    for (const t of ['listen-key', 'listen-token', 'poll']) {
      assert.equal(count(log, `started on ${t}`), 1, log);
      for (let i = 1; i <= 3; i++) assert.equal(count(log, `line ${i} of ${t} says hello`), 1, `line ${i} of ${t} lost or doubled:\n${log}`);
    }
    const details = await api.get(`/api/tasks/${done.taskId}/details`);
    assert.deepEqual(details.activities[0].children.map((c: { name: string; state: string }) => `${c.name} ${c.state}`).sort(), ['listen-key Success', 'listen-token Success', 'poll Success']);
    for (const name of ['listen-key', 'listen-token']) {
      assert.equal(count(agents[name]!.output(), 'running a bash script'), 1);
      await agents[name]!.waitForOutput(/result reported/);
    }
  });

  it("canceling a deployment mid-step ends the listening agents' scripts and their child processes", async () => {
    const pids = path.join(dir, 'pids');
    const d = await deployScript(scriptWithChild(pids));
    const all = await pidsOfScriptsWithChild(pids, ['listen-key', 'listen-token', 'poll']);
    assert.ok(all.every(isAlive));
    await api.call('POST', `/api/tasks/${d.taskId}/cancel`, undefined, 200);
    const done = await waitForDeployment(api, d.id);
    assert.equal(done.state, 'Canceled');
    assert.deepEqual(all.filter(isAlive), [], 'the scripts and their children are gone');
    for (const name of ['listen-key', 'listen-token']) await agents[name]!.waitForOutput(/canceled by the cluster; ending the script and its processes/);
  });

  it("a second cluster's certificate is refused by the agent; an agent with another target's certificate is refused by the node", async () => {
    // Another cluster registers listen-key's thumbprint and address: the agent refuses its node.
    const other = await startShoalProcess({ dataDir: dirOf('other-node'), nodeName: 'other' });
    const otherApi = await ShoalClient.login(other.url, 'admin', other.adminPassword);
    await otherApi.post(`${SPACE}/environments`, { name: 'Dev' });
    const thumbprint = (await runAgentCli(['show-thumbprint', '--data-dir', dirOf('listen-key')])).stdout.trim();
    const answer = await otherApi.call('POST', `${SPACE}/targets`, { name: 'borrowed', environmentIds: ['Dev'], roles: ['web'], thumbprint, mode: 'Listening', address: `https://127.0.0.1:${ports['listen-key']}` }, 201);
    const check = await healthCheck(otherApi, answer.target.id);
    assert.equal(check.state, 'Failed');
    await agents['listen-key']!.waitForOutput(new RegExp(`refused a connection from \\S+: it presented certificate ${answer.clusterThumbprint}, not the pinned cluster certificate`));
    const borrowed = await otherApi.get(`${SPACE}/targets/${answer.target.id}`);
    assert.equal(borrowed.status, 'Unavailable');
    assert.match(borrowed.statusSummary, /closed the connection before greeting: it refused this cluster's certificate/);
    assert.match(other.stdout(), /refused the listening agent of borrowed: the agent at \S+ closed the connection before greeting/, 'the node logs it too');

    // An agent whose certificate is not the one its target registered: the node refuses it.
    const strangerReg = JSON.parse(fs.readFileSync(path.join(dirOf('listen-token'), 'registration.json'), 'utf8'));
    fs.mkdirSync(dirOf('stranger'), { recursive: true });
    fs.writeFileSync(path.join(dirOf('stranger'), 'registration.json'), JSON.stringify({ ...strangerReg, listenPort: ports.stranger }));
    const expected = (await runAgentCli(['show-thumbprint', '--data-dir', dirOf('expected')])).stdout.trim();
    const presented = (await runAgentCli(['show-thumbprint', '--data-dir', dirOf('stranger')])).stdout.trim();
    agents.stranger = startAgent(dirOf('stranger'));
    await agents.stranger.waitForOutput(/listens on port/);
    const impostor = (await api.call('POST', `${SPACE}/targets`, { name: 'impostor', environmentIds: [devId], roles: ['elsewhere'], thumbprint: expected, mode: 'Listening', address: `https://127.0.0.1:${ports.stranger}` }, 201)).target;
    assert.equal((await healthCheck(api, impostor.id)).state, 'Failed');
    const refused = await api.get(`${SPACE}/targets/${impostor.id}`);
    assert.equal(refused.status, 'Unavailable');
    assert.match(refused.statusSummary, new RegExp(`presented certificate ${presented}, not the one registered for this target \\(${expected}\\); refused it`));
    assert.doesNotMatch(agents.stranger.output(), /received/, 'the refused agent got no work');
    assert.match(node.stdout(), new RegExp(`refused the listening agent of impostor: the agent at \\S+ presented certificate ${presented}`), 'the node logs it too');
    agents.stranger.child.kill('SIGTERM');
    await other.stop();
  });

  it('a stopped listening agent shows Unavailable and its step target fails with the reason', async () => {
    agents['listen-token']!.child.kill('SIGTERM');
    await agents['listen-token']!.exited;
    const { id } = await target('listen-token');
    assert.equal((await healthCheck(api, id)).state, 'Failed');
    const down = await target('listen-token');
    assert.equal(down.status, 'Unavailable');
    const reason = new RegExp(`Could not reach the listening agent of listen-token at https://127\\.0\\.0\\.1:${ports['listen-token']}: .*ECONNREFUSED`);
    assert.match(down.statusSummary, reason);
    const d = await deployScript('echo "on $SHOAL_TARGET_NAME"');
    const failed = await waitForDeployment(api, d.id, 120_000);
    assert.equal(failed.state, 'Failed');
    assert.match(failed.errorMessage ?? '', /listen-token/);
    const log = await taskLog(api, failed.taskId);
    assert.match(log, reason);
    assert.match(log, /on listen-key/);
    assert.match(log, /on poll/);
  });

  it('the node that dialed dies mid-step (kill -9): the listening agent ends the script once no node has reached it for longer than the lease', async () => {
    const pidFile = path.join(dir, 'orphan.pid');
    await deployScript(`[ "$SHOAL_TARGET_NAME" = listen-key ] || exit 0; echo $$ > '${pidFile}'; sleep 300`);
    const pid = await waitFor(() => (fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').trim()) || undefined : undefined), { timeoutMs: 60_000, message: 'the script did not start' });
    const runs = count(agents['listen-key']!.output(), 'running a bash script');
    node.child.kill('SIGKILL');
    await node.exited;
    await agents['listen-key']!.waitForOutput(/the cluster no longer counts this work as ours \(no node reached this agent for \d+ s, longer than the work's lease/, 90_000);
    await waitFor(() => !isAlive(pid), { timeoutMs: 10_000, message: 'the script outlived its lease' });
    assert.equal(count(agents['listen-key']!.output(), 'running a bash script'), runs, 'nothing ran again');
  });
});
