/**
 * The self-contained agent a node serves: installed with `curl … | tar -xz` into a folder outside
 * the repository (so nothing of the checkout can be loaded), registered with a one-time token,
 * running a real step on its own Node runtime; `shoal-agent upgrade` replacing an older install
 * with the cluster's version, and refusing what it cannot do without changing anything.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { ShoalClient } from '../helpers/apiClient.js';
import { runAgentCli, startAgent } from '../helpers/agents.js';
import { SPACE, waitForDeployment } from '../helpers/deployments.js';
import { startShoalProcess, type ShoalProcess } from '../helpers/shoalProcess.js';
import { taskLog } from '../helpers/tasks.js';
import { teardown } from '../helpers/teardown.js';
import { tempDir } from '../helpers/tempDir.js';
import { waitFor } from '../../server-core/src/testing/wait.js';

const sha256Of = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

describe('the self-contained agent, downloaded from a node', { timeout: 300_000 }, () => {
  let node: ShoalProcess;
  let api: ShoalClient;
  let dir: string;
  let served: { version: string; platform: string; node: string; agentSha256: string; sha256: string; size: number };
  const agentData = () => path.join(dir, 'agent-data');

  before(async () => {
    dir = tempDir('shoal-agent-download-');
    node = await startShoalProcess({ dataDir: path.join(dir, 'node'), nodeName: 'serves-agent' });
    api = await ShoalClient.login(node.url, 'admin', node.adminPassword);
    served = await (await fetch(`${node.url}/api/agent`)).json();
  });
  after(() => teardown());

  it('installs with curl and tar, outside the repository, registers with a token and runs a step on its own runtime', async () => {
    assert.equal(served.platform, `${process.platform}-${process.arch}`);
    const install = path.join(dir, 'opt');
    fs.mkdirSync(install);
    // The command the portal shows, as a user pastes it.
    await promisify(execFile)('sh', ['-c', `curl -fsSL '${node.url}/api/agent/download' | tar -xz -C '${install}'`]);
    const launcher = path.join(install, 'shoal-agent', 'shoal-agent');
    assert.equal(sha256Of(path.join(install, 'shoal-agent', 'lib', 'shoal-agent.mjs')), served.agentSha256);
    const version = await runAgentCli(['--version'], 30_000, [launcher]);
    assert.equal(version.stdout.trim(), served.version, version.stderr);

    const devId = (await api.post(`${SPACE}/environments`, { name: 'Dev' })).id;
    const token = (await api.post(`${SPACE}/targets/registration-tokens`, { environmentIds: [devId], roles: ['web'] })).token as string;
    const registered = await runAgentCli(['register', '--server', node.url, '--token', token, '--name', 'bundled', '--environment', 'Dev', '--role', 'web', '--data-dir', agentData()], 60_000, [launcher]);
    assert.equal(registered.code, 0, registered.stderr);
    const agent = startAgent(agentData(), [], [launcher]);
    await agent.waitForOutput(/polls https:/);
    await waitFor(async () => (await api.get(`${SPACE}/targets`)).some((t: { name: string; status: string }) => t.name === 'bundled' && t.status === 'Healthy'), { timeoutMs: 60_000, message: 'the bundled agent did not become Healthy' });

    const projectId = (await api.post(`${SPACE}/projects`, { name: 'Web' })).id;
    await api.call('PUT', `${SPACE}/projects/${projectId}/process`, { steps: [{ name: 'Run', action: 'RunScript', runOn: 'targets', roles: ['web'], properties: { script: 'echo "ran on $SHOAL_TARGET_NAME"', syntax: 'bash' } }] }, 200);
    const release = await api.post(`${SPACE}/releases`, { projectId });
    const done = await waitForDeployment(api, (await api.post(`${SPACE}/deployments`, { releaseId: release.id, environmentId: devId })).id);
    assert.equal(done.state, 'Success', done.errorMessage ?? undefined);
    assert.match(await taskLog(api, done.taskId), /ran on bundled/);
    agent.child.kill('SIGTERM');
    await agent.exited;
  });

  it('upgrade replaces an older install with the cluster version and keeps the previous one; a current one, another platform and a checkout change nothing', async () => {
    const original = path.join(dir, 'opt', 'shoal-agent');
    const home = path.join(dir, 'older', 'shoal-agent');
    fs.cpSync(original, home, { recursive: true });
    // An older agent: other code, another version.
    const lib = path.join(home, 'lib', 'shoal-agent.mjs');
    fs.appendFileSync(lib, '\n// an older build\n');
    fs.writeFileSync(path.join(home, 'manifest.json'), JSON.stringify({ ...readJson(path.join(home, 'manifest.json')), version: '0.0.1', agentSha256: sha256Of(lib) }));
    const launcher = path.join(home, 'shoal-agent');

    const upgraded = await runAgentCli(['upgrade', '--data-dir', agentData()], 120_000, [launcher]);
    assert.equal(upgraded.code, 0, upgraded.stderr);
    assert.match(upgraded.stdout, new RegExp(`from 0\\.0\\.1 .* to ${served.version.replace(/\./g, '\\.')} `));
    assert.equal(sha256Of(lib), served.agentSha256, 'the cluster version is in place');
    assert.equal(readJson(path.join(home, 'manifest.json')).agentSha256, served.agentSha256);
    assert.equal(readJson(path.join(`${home}.previous`, 'manifest.json')).version, '0.0.1', 'the previous one is kept');
    assert.deepEqual(fs.readdirSync(path.dirname(home)).sort(), ['shoal-agent', 'shoal-agent.previous'], 'nothing half-done left beside it');
    const version = await runAgentCli(['--version'], 30_000, [launcher]);
    assert.equal(version.stdout.trim(), served.version);

    const again = await runAgentCli(['upgrade', '--data-dir', agentData()], 60_000, [launcher]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already the cluster's version/);

    const manifest = readJson(path.join(home, 'manifest.json'));
    fs.writeFileSync(path.join(home, 'manifest.json'), JSON.stringify({ ...manifest, platform: 'plan9-x64', agentSha256: 'b'.repeat(64) }));
    const elsewhere = await runAgentCli(['upgrade', '--data-dir', agentData()], 60_000, [launcher]);
    assert.equal(elsewhere.code, 1);
    assert.match(elsewhere.stderr, new RegExp(`serves agents for ${served.platform}, and this machine runs plan9-x64; nothing was changed`));
    assert.equal(sha256Of(lib), served.agentSha256);

    const checkout = await runAgentCli(['upgrade', '--data-dir', agentData()]);
    assert.equal(checkout.code, 1);
    assert.match(checkout.stderr, /runs from a checkout of the repository/);
  });
});
