/**
 * A standalone node (SQLite) with a real polling agent and a target whose agent never
 * connected: the unavailable target fails with the reason and a disabled one takes no work;
 * canceling a deployment mid-step ends the agent's script and every process it started, and so
 * does stopping the agent (SIGTERM), whose target then fails saying so.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ShoalClient } from '../helpers/apiClient.js';
import { pidsOfScriptsWithChild, runAgentCli, scriptWithChild, startAgent, type AgentProcess } from '../helpers/agents.js';
import { SPACE, waitForDeployment } from '../helpers/deployments.js';
import { isAlive } from '../../server-core/src/testing/processes.js';
import { startShoalProcess, type ShoalProcess } from '../helpers/shoalProcess.js';
import { taskLog } from '../helpers/tasks.js';
import { teardown } from '../helpers/teardown.js';
import { tempDir } from '../helpers/tempDir.js';
import { waitFor } from '../../server-core/src/testing/wait.js';

describe('a polling agent on a standalone node', { timeout: 300_000 }, () => {
  let node: ShoalProcess;
  let api: ShoalClient;
  let dir: string;
  const agents: AgentProcess[] = [];
  let devId: string;
  let ghostId: string;
  let projectId: string;

  before(async () => {
    dir = tempDir('shoal-agents-');
    node = await startShoalProcess({ dataDir: path.join(dir, 'node'), nodeName: 'solo' });
    api = await ShoalClient.login(node.url, 'admin', node.adminPassword);
    const apiKey = await api.createApiKey('agents');
    devId = (await api.post(`${SPACE}/environments`, { name: 'Dev' })).id;
    for (const name of ['web-1', 'web-2']) {
      const r = await runAgentCli(['register', '--server', node.url, '--api-key', apiKey, '--name', name, '--environment', 'Dev', '--role', 'web', '--data-dir', path.join(dir, name)]);
      assert.equal(r.code, 0, r.stderr);
    }
    // Registered, but no agent ever runs with this certificate.
    const ghostThumbprint = (await runAgentCli(['show-thumbprint', '--data-dir', path.join(dir, 'ghost')])).stdout.trim();
    ghostId = (await api.call('POST', `${SPACE}/targets`, { name: 'ghost', environmentIds: [devId], roles: ['web'], thumbprint: ghostThumbprint }, 201)).target.id;
    for (const name of ['web-1', 'web-2']) agents.push(startAgent(path.join(dir, name)));
    await waitFor(async () => (await api.get(`${SPACE}/targets`)).filter((t: { name: string; status: string }) => t.name !== 'ghost' && t.status === 'Healthy').length === 2, { timeoutMs: 60_000, message: 'the agents did not become Healthy' });
    projectId = (await api.post(`${SPACE}/projects`, { name: 'Web' })).id;
  });
  after(() => teardown());

  const deployScript = async (script: string, step: Record<string, unknown> = {}) => {
    await api.call('PUT', `${SPACE}/projects/${projectId}/process`, { steps: [{ name: 'Run', action: 'RunScript', runOn: 'targets', roles: ['web'], properties: { script, syntax: 'bash' }, ...step }] }, 200);
    const release = await api.post(`${SPACE}/releases`, { projectId });
    return api.post(`${SPACE}/deployments`, { releaseId: release.id, environmentId: devId });
  };

  it('an unavailable target fails with the reason; disabled, it takes no work', async () => {
    const failed = await waitForDeployment(api, (await deployScript('echo "on $SHOAL_TARGET_NAME"')).id);
    assert.equal(failed.state, 'Failed');
    assert.match(failed.errorMessage ?? '', /ghost/);
    const log = await taskLog(api, failed.taskId);
    assert.match(log, /ghost is unavailable: its agent has never connected/);
    assert.match(log, /on web-1/);
    assert.match(log, /on web-2/);
    const ghost = await api.get(`${SPACE}/targets/${ghostId}`);
    await api.call('PUT', `${SPACE}/targets/${ghostId}`, { name: ghost.name, environmentIds: ghost.environmentIds, roles: ghost.roles, isDisabled: true }, 200);
    const ok = await waitForDeployment(api, (await deployScript('echo "on $SHOAL_TARGET_NAME"')).id);
    assert.equal(ok.state, 'Success', ok.errorMessage ?? '');
    assert.doesNotMatch(await taskLog(api, ok.taskId), /ghost/);
  });

  it("canceling a deployment mid-step ends the agent's script and its child processes", async () => {
    const pids = path.join(dir, 'pids');
    const d = await deployScript(scriptWithChild(pids));
    const all = await pidsOfScriptsWithChild(pids, ['web-1', 'web-2']);
    assert.ok(all.every(isAlive));
    await api.call('POST', `/api/tasks/${d.taskId}/cancel`, undefined, 200);
    const done = await waitForDeployment(api, d.id);
    assert.equal(done.state, 'Canceled');
    assert.deepEqual(all.filter(isAlive), [], 'the scripts and their children are gone');
    for (const a of agents) await a.waitForOutput(/canceled by the cluster; ending the script and its processes/);
  });

  it('maxParallelTargets 1 runs the step on one target after the other', async () => {
    const marks = path.join(dir, 'marks');
    const d = await deployScript(`echo "start $SHOAL_TARGET_NAME" >> '${marks}'; sleep 1; echo "end $SHOAL_TARGET_NAME" >> '${marks}'`, { maxParallelTargets: 1 });
    assert.equal((await waitForDeployment(api, d.id)).state, 'Success');
    const lines = fs.readFileSync(marks, 'utf8').trim().split('\n');
    assert.equal(lines.length, 4);
    for (const i of [0, 2]) assert.equal(lines[i + 1], lines[i]!.replace('start', 'end'), `one target at a time: ${lines.join(', ')}`);
    const bad = await api.request('PUT', `${SPACE}/projects/${projectId}/process`, { body: { steps: [{ name: 'S', action: 'RunScript', maxParallelTargets: 1, properties: { script: 'true' } }] } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /maxParallelTargets: only a step that runs on targets/);
  });

  it('stopping the agent (SIGTERM) mid-step ends its script and fails the target saying why', async () => {
    const pidFile = path.join(dir, 'stop.pid');
    const d = await deployScript(`[ "$SHOAL_TARGET_NAME" = web-1 ] || exit 0; echo $$ > '${pidFile}'; sleep 300`);
    const pid = await waitFor(() => (fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').trim()) || undefined : undefined), { timeoutMs: 60_000, message: 'the script did not start' });
    agents[0]!.child.kill('SIGTERM');
    await agents[0]!.exited;
    assert.ok(!isAlive(pid), 'the script is gone with the agent');
    const done = await waitForDeployment(api, d.id);
    assert.equal(done.state, 'Failed');
    assert.match(await taskLog(api, done.taskId), /The agent was stopped while the script ran/);
  });
});
