/**
 * A polling agent in its own network namespace, cut from the node's comms port for 30 s
 * (iptables drops its packets, as a pulled cable would) while its script runs: the work
 * started before the cut runs once and ends with the real result or the reason; the agent
 * says why it reconnects, reconnects by itself after the heal and takes new work.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { ShoalClient } from '../helpers/apiClient.js';
import { AGENT_BIN, commsPortOf, runAgentCli, startAgent, type AgentProcess } from '../helpers/agents.js';
import { SPACE, waitForDeployment } from '../helpers/deployments.js';
import { startShoalProcess, type ShoalProcess } from '../helpers/shoalProcess.js';
import { taskLog } from '../helpers/tasks.js';
import { teardown } from '../helpers/teardown.js';
import { tempDir } from '../helpers/tempDir.js';
import { waitFor } from '../../server-core/src/testing/wait.js';
import { createNamespace, type Namespace } from '../faults/netns.js';

const CUT_MS = 30_000;

describe('an agent cut from the cluster for 30 s', { timeout: 300_000, skip: process.getuid?.() === 0 ? false : 'network namespaces need root' }, () => {
  let ns: Namespace;
  let node: ShoalProcess;
  let api: ShoalClient;
  let agent: AgentProcess;
  let dir: string;
  let devId: string;
  let projectId: string;
  let commsPort: number;

  before(async () => {
    dir = tempDir('shoal-agent-cut-');
    ns = createNamespace();
    node = await startShoalProcess({ dataDir: path.join(dir, 'node'), nodeName: 'cut-node', args: ['--host', '0.0.0.0'] });
    commsPort = commsPortOf(node);
    api = await ShoalClient.login(node.url, 'admin', node.adminPassword);
    const apiKey = await api.createApiKey('agents');
    devId = (await api.post(`${SPACE}/environments`, { name: 'Dev' })).id;
    const dataDir = path.join(dir, 'agent');
    // The agent reaches the node across the veth pair, as a machine on the network would.
    const r = await runAgentCli(['register', '--server', node.url, '--api-key', apiKey, '--name', 'remote', '--environment', 'Dev', '--role', 'web', '--comms', `https://${ns.hostIp}:${commsPort}`, '--data-dir', dataDir]);
    assert.equal(r.code, 0, r.stderr);
    agent = startAgent(dataDir, [], [...ns.prefix, process.execPath, AGENT_BIN]);
    await waitFor(async () => (await api.get(`${SPACE}/targets`))[0]?.status === 'Healthy', { timeoutMs: 60_000, message: 'the agent did not become Healthy' });
    projectId = (await api.post(`${SPACE}/projects`, { name: 'Remote' })).id;
  });
  after(() => teardown());

  const deploy = async (script: string) => {
    await api.call('PUT', `${SPACE}/projects/${projectId}/process`, { steps: [{ name: 'Run', action: 'RunScript', runOn: 'targets', roles: ['web'], properties: { script, syntax: 'bash' } }] }, 200);
    const release = await api.post(`${SPACE}/releases`, { projectId });
    return (await api.post(`${SPACE}/deployments`, { releaseId: release.id, environmentId: devId })).id as string;
  };
  const comms = (action: '-A' | '-D') => ns.exec(['iptables', action, 'OUTPUT', '-d', ns.hostIp, '-p', 'tcp', '--dport', String(commsPort), '-j', 'DROP']);

  it('work started before the cut runs once and ends with its result or the reason; the agent reconnects by itself and takes new work', async (t) => {
    const marks = path.join(dir, 'marks');
    const lines = () => (fs.existsSync(marks) ? fs.readFileSync(marks, 'utf8').trim().split('\n') : []);
    const id = await deploy(`echo started >> ${marks}; sleep 8; echo finished >> ${marks}; echo "ran through the cut"`);
    await waitFor(() => lines().includes('started'), { timeoutMs: 60_000, message: 'the script did not start' });

    comms('-A');
    await sleep(CUT_MS);
    const connectedBeforeHeal = agent.output().split('connected to the cluster').length;
    comms('-D');

    const done = await waitForDeployment(api, id, 120_000);
    assert.deepEqual(lines(), ['started', 'finished'], 'the script ran once, to its end');
    const log = await taskLog(api, done.taskId);
    t.diagnostic(`the deployment through the cut ended ${done.state}`);
    if (done.state === 'Success') assert.match(log, /ran through the cut/);
    else {
      assert.equal(done.state, 'Failed');
      assert.match(log, /The agent on remote stopped renewing its lease/);
    }
    assert.match(agent.output(), /failed \(.+\); reconnecting in \d+(\.\d)? s/, 'the agent says why it reconnects');

    // Reconnected by itself (its backoff may have reached 30 s by the heal), and takes new work.
    await waitFor(() => agent.output().split('connected to the cluster').length > connectedBeforeHeal, { timeoutMs: 90_000, message: `the agent did not reconnect:\n${agent.output()}` });
    const again = await waitForDeployment(api, await deploy('echo "after the heal on $SHOAL_TARGET_NAME"'), 60_000);
    assert.equal(again.state, 'Success', again.errorMessage ?? undefined);
    assert.match(await taskLog(api, again.taskId), /after the heal on remote/);
    assert.deepEqual(lines(), ['started', 'finished'], 'nothing ran the first script again');
    assert.equal(agent.child.exitCode, null, agent.output());
  });
});
