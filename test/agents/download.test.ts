/**
 * The self-contained agent a node serves: installed with `curl … | tar -xz` into a folder outside
 * the repository (so nothing of the checkout can be loaded), registered with a one-time token,
 * running a real step on its own Node runtime; `shoal-agent upgrade` replacing an older install
 * with the cluster's version, and refusing what it cannot do without changing anything; a build
 * for another platform too (Windows, its runtime from the npm registry), served by ?platform=.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../helpers/repo.js';
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
  let served: { version: string; platform: string; node: string; agentSha256: string; sha256: string; size: number; platforms: string[] };
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
    const otherPlatform = served.platform === 'darwin-arm64' ? 'linux-arm64' : 'darwin-arm64';
    fs.writeFileSync(path.join(home, 'manifest.json'), JSON.stringify({ ...manifest, platform: otherPlatform, agentSha256: 'b'.repeat(64) }));
    const elsewhere = await runAgentCli(['upgrade', '--data-dir', agentData()], 60_000, [launcher]);
    assert.equal(elsewhere.code, 1);
    assert.match(elsewhere.stderr, new RegExp(`answered 404: This node serves no agent for ${otherPlatform}; it serves ${served.platform}; nothing was changed`));
    assert.equal(sha256Of(lib), served.agentSha256);

    const checkout = await runAgentCli(['upgrade', '--data-dir', agentData()]);
    assert.equal(checkout.code, 1);
    assert.match(checkout.stderr, /runs from a checkout of the repository/);
  });

  it('builds the Windows agent beside this platform\'s (its Node runtime from the npm registry) and serves each by ?platform=', async () => {
    const out = path.join(dir, 'bundles');
    await promisify(execFile)(process.execPath, [path.join(REPO_ROOT, 'agent/scripts/bundle.mjs')], { cwd: REPO_ROOT, env: { ...process.env, SHOAL_AGENT_PLATFORMS: 'win32-x64', SHOAL_AGENT_BUNDLE_OUT: out }, timeout: 240_000 });
    const both = await startShoalProcess({ dataDir: path.join(dir, 'node-both'), nodeName: 'serves-two', env: { SHOAL_AGENT_BUNDLE_DIR: out } });
    const host = await (await fetch(`${both.url}/api/agent`)).json();
    assert.equal(host.platform, served.platform, "the node's own platform by default");
    assert.deepEqual(host.platforms.sort(), [served.platform, 'win32-x64'].sort());
    const windows = await (await fetch(`${both.url}/api/agent?platform=win32-x64`)).json();
    assert.equal(windows.platform, 'win32-x64');
    assert.equal(windows.agentSha256, host.agentSha256, 'the same agent code on both');
    assert.equal(windows.node, host.node, 'the same Node version on both');

    const unpacked = path.join(dir, 'windows');
    fs.mkdirSync(unpacked);
    await promisify(execFile)('sh', ['-c', `curl -fsSL '${both.url}/api/agent/download?platform=win32-x64' | tar -xz -C '${unpacked}'`]);
    const home = path.join(unpacked, 'shoal-agent');
    assert.deepEqual(readJson(path.join(home, 'manifest.json')), { version: windows.version, platform: 'win32-x64', node: windows.node, agentSha256: windows.agentSha256 });
    assert.equal(sha256Of(path.join(home, 'lib', 'shoal-agent.mjs')), windows.agentSha256);
    assert.match(fs.readFileSync(path.join(home, 'shoal-agent.cmd'), 'utf8'), /runtime\\node\.exe" "%~dp0lib\\shoal-agent\.mjs" %\*/);
    // A Windows x64 executable: the MZ header, whose PE header names the AMD64 machine.
    const exe = fs.readFileSync(path.join(home, 'runtime', 'node.exe'));
    assert.equal(exe.subarray(0, 2).toString('latin1'), 'MZ');
    const pe = exe.readUInt32LE(0x3c);
    assert.equal(exe.subarray(pe, pe + 4).toString('latin1'), 'PE\0\0');
    assert.equal(exe.readUInt16LE(pe + 4), 0x8664);
    const missing = await fetch(`${both.url}/api/agent/download?platform=darwin-arm64`);
    assert.equal(missing.status, 404);
    assert.match((await missing.json()).error.message, /serves no agent for darwin-arm64; it serves/);
  });
});
