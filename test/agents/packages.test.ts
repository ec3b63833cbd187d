/**
 * Packages reach agents: a standalone node (SQLite), two real polling agents and a listening
 * one (its package comes over the connection the node dialed). A DeployPackage step on targets
 * installs a real .tar.gz on all three, with variables substituted per target; a
 * second deployment of the same package transfers no byte (counted from what the node says it
 * served); a package whose stored bytes were corrupted is refused by the agents and fails the
 * targets with the reason; output variables set on the agents reach later steps; the comms port
 * serves a package only for an agent's own work.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tar from 'tar';
import { bytesServed, buildTarGz } from '../helpers/agentPackages.js';
import { ShoalClient } from '../helpers/apiClient.js';
import { commsPortOf, runAgentCli, startAgent, type AgentProcess } from '../helpers/agents.js';
import { freePort } from '../helpers/freePort.js';
import { SPACE, uploadPackage, waitForDeployment } from '../helpers/deployments.js';
import { startShoalProcess, type ShoalProcess } from '../helpers/shoalProcess.js';
import { isAlive } from '../../server-core/src/testing/processes.js';
import { readShoalDb } from '../helpers/shoalDb.js';
import { taskLog } from '../helpers/tasks.js';
import { teardown } from '../helpers/teardown.js';
import { tempDir } from '../helpers/tempDir.js';
import { waitFor } from '../../server-core/src/testing/wait.js';

/** web-3 listens: the node dials it. */
const AGENTS = ['web-1', 'web-2', 'web-3'];
const LISTENING = 'web-3';
const SECRET = 'pa55-on-the-agent';

describe('packages on polling and listening agents', { timeout: 300_000 }, () => {
  let node: ShoalProcess;
  let api: ShoalClient;
  let dir: string;
  const agents: AgentProcess[] = [];
  let devId: string;
  let projectId: string;
  let packageBytes: Buffer;

  before(async () => {
    dir = tempDir('shoal-agent-packages-');
    node = await startShoalProcess({ dataDir: path.join(dir, 'node'), nodeName: 'solo' });
    api = await ShoalClient.login(node.url, 'admin', node.adminPassword);
    const apiKey = await api.createApiKey('agents');
    devId = (await api.post(`${SPACE}/environments`, { name: 'Dev' })).id;
    for (const name of AGENTS) {
      const port = await freePort();
      const listening = name === LISTENING ? ['--mode', 'listening', '--listen-port', String(port), '--public-url', `https://127.0.0.1:${port}`] : [];
      const r = await runAgentCli(['register', '--server', node.url, '--api-key', apiKey, '--name', name, '--environment', 'Dev', '--role', 'web', ...listening, '--data-dir', path.join(dir, name)]);
      assert.equal(r.code, 0, r.stderr);
      agents.push(startAgent(path.join(dir, name)));
    }
    await waitFor(async () => (await api.get(`${SPACE}/targets`)).filter((t: { status: string }) => t.status === 'Healthy').length === AGENTS.length, { timeoutMs: 90_000, message: 'the agents did not become Healthy' });
    const web2 = (await api.get(`${SPACE}/targets`)).find((t: { name: string }) => t.name === 'web-2').id;
    projectId = (await api.post(`${SPACE}/projects`, { name: 'Acme Web' })).id;
    // A config file with variables, some of it bigger than one read of the stream.
    packageBytes = await buildTarGz(dir, {
      'config/app.json': '{"greeting": "#{Greeting}", "target": "#{Shoal.Target.Name}", "environment": "#{Shoal.Environment.Name}"}\n',
      'static/index.html': '<p>#{Greeting}</p>',
      'Deploy.sh': 'echo "Deploy.sh on #{Shoal.Target.Name} in $(pwd), password #{DbPassword}"\necho "#{Greeting}" > "$SHOAL_INSTALL_PATH/deployed.txt"\n',
      'data/blob.txt': 'x'.repeat(300_000),
    });
    await uploadPackage(api, 'Acme.Web.1.0.0.tar.gz', packageBytes);
    await api.call('PUT', `${SPACE}/projects/${projectId}/process`, { steps: [{ name: 'Deploy web', action: 'DeployPackage', runOn: 'targets', roles: ['web'], properties: { packageId: 'Acme.Web', substituteInFiles: ['config/*.json'] } }] }, 200);
    await api.call('PUT', `${SPACE}/projects/${projectId}/variables`, { variables: [{ name: 'Greeting', value: 'hello' }, { name: 'Greeting', value: 'hello from web-2', scope: { targetIds: [web2] } }, { name: 'DbPassword', value: SECRET, sensitive: true }] }, 200);
  });
  after(() => teardown());

  const deploy = async (packageVersion: string) => {
    const release = await api.post(`${SPACE}/releases`, { projectId, packages: { 'Deploy web': packageVersion } });
    return waitForDeployment(api, (await api.post(`${SPACE}/deployments`, { releaseId: release.id, environmentId: devId })).id, 120_000);
  };
  const installed = (agent: string, folder: string, file: string) => fs.readFileSync(path.join(dir, agent, 'applications', 'Dev', 'Acme.Web', folder, file), 'utf8');

  it('installs the package on every agent with variables substituted per target; a second deployment transfers no byte', async () => {
    const sha256: string = (await api.get(`${SPACE}/packages/Acme.Web/versions/1.0.0`)).hash;
    assert.match(sha256, /^[0-9a-f]{64}$/);
    const first = await deploy('1.0.0');
    assert.equal(first.state, 'Success', `${first.errorMessage}\n${await taskLog(api, first.taskId)}`);
    for (const agent of AGENTS) {
      const greeting = agent === 'web-2' ? 'hello from web-2' : 'hello';
      assert.equal(installed(agent, '1.0.0', 'config/app.json'), `{"greeting": "${greeting}", "target": "${agent}", "environment": "Dev"}\n`);
      assert.equal(installed(agent, '1.0.0', 'static/index.html'), '<p>#{Greeting}</p>', 'only the listed files are substituted');
      assert.equal(installed(agent, '1.0.0', 'data/blob.txt').length, 300_000);
      assert.equal(installed(agent, '1.0.0', 'deployed.txt'), `${greeting}\n`, "the package's Deploy.sh ran there, substituted");
      assert.deepEqual(fs.readdirSync(path.join(dir, agent, 'packages')), [sha256], "the agent's cache holds the package by its hash");
    }
    const log = await taskLog(api, first.taskId);
    assert.match(log, /SHA-256 verified/);
    for (const agent of AGENTS) assert.match(log, new RegExp(`Deploy.sh on ${agent} in ${path.join(dir, agent, 'applications', 'Dev', 'Acme.Web', '1.0.0')}, password \\*\\*\\*`));
    for (const agent of AGENTS) assert.match(log, new RegExp(`Output\\[${agent}\\]\\.Package\\.InstallationDirectoryPath is set`), 'the install folder, for later steps');
    assert.doesNotMatch(log, new RegExp(SECRET), 'the sensitive value is masked in what the agents sent');
    const afterFirst = bytesServed(node, sha256).bytes;
    assert.equal(afterFirst, AGENTS.length * packageBytes.length, 'each agent fetched the package once, whole');

    const second = await deploy('1.0.0');
    assert.equal(second.state, 'Success', second.errorMessage ?? '');
    for (const agent of AGENTS) assert.match(installed(agent, '1.0.0_2', 'config/app.json'), new RegExp(`"target": "${agent}"`));
    assert.equal(bytesServed(node, sha256).bytes, afterFirst, 'the second deployment transferred no package byte');
    assert.match(await taskLog(api, second.taskId), /is in the agent's cache .*: nothing to transfer/);
  });

  it('refuses a package whose bytes do not match its hash, and fails the targets with the reason', async () => {
    const bytes = await buildTarGz(dir, { 'config/app.json': '{"v": 2}\n' });
    await uploadPackage(api, 'Acme.Web.2.0.0.tar.gz', bytes);
    const stored = (fs.readdirSync(path.join(dir, 'node'), { recursive: true }) as string[]).map((f) => path.join(dir, 'node', f)).find((f) => f.endsWith(path.join('Spaces-1', 'Acme.Web.2.0.0.tar.gz')));
    assert.ok(stored, "the package's file in the node's packages storage");
    const corrupted = Buffer.from(bytes);
    corrupted[corrupted.length >> 1] = corrupted[corrupted.length >> 1]! ^ 0xff;
    fs.writeFileSync(stored, corrupted);
    const d = await deploy('2.0.0');
    assert.equal(d.state, 'Failed');
    const log = await taskLog(api, d.taskId);
    for (const agent of AGENTS) assert.match(log, new RegExp(`${agent}: .*SHA-256 is [0-9a-f]{64}, not the package's [0-9a-f]{64}: refused`));
    for (const agent of AGENTS) {
      assert.equal(fs.existsSync(path.join(dir, agent, 'applications', 'Dev', 'Acme.Web', '2.0.0')), false, 'nothing installed');
      assert.equal(fs.readdirSync(path.join(dir, agent, 'packages')).length, 1, 'nothing cached but the first package');
    }
  });

  it('refuses on the agent a package with an entry outside the install folder, writing nothing', async () => {
    const src = path.join(dir, 'evil', 'inside');
    fs.mkdirSync(src, { recursive: true });
    fs.writeFileSync(path.join(src, 'ok.txt'), 'fine\n');
    fs.writeFileSync(path.join(dir, 'evil', 'escape.txt'), 'escaped\n');
    const file = path.join(dir, 'evil', 'evil.tar.gz');
    await tar.c({ gzip: true, cwd: src, file, preservePaths: true }, ['ok.txt', '../escape.txt']);
    await uploadPackage(api, 'Acme.Web.3.0.0.tar.gz', fs.readFileSync(file));
    const d = await deploy('3.0.0');
    assert.equal(d.state, 'Failed');
    const log = await taskLog(api, d.taskId);
    for (const agent of AGENTS) {
      assert.match(log, new RegExp(`${agent}: The entry "\\.\\./escape\\.txt" leaves the install folder`));
      const base = path.join(dir, agent, 'applications', 'Dev', 'Acme.Web');
      assert.equal(fs.existsSync(path.join(base, 'escape.txt')), false, 'nothing written outside');
      assert.equal(fs.existsSync(path.join(base, '3.0.0', 'ok.txt')), false, 'nothing written at all');
    }
  });

  it("canceling a deployment ends the package's Deploy script on the agents", async () => {
    const pids = path.join(dir, 'deploy-pids');
    await uploadPackage(api, 'Acme.Web.4.0.0.tar.gz', await buildTarGz(dir, { 'Deploy.sh': `echo $$ > '${pids}.'"$SHOAL_TARGET_NAME"\nsleep 300\n` }));
    const release = await api.post(`${SPACE}/releases`, { projectId, packages: { 'Deploy web': '4.0.0' } });
    const d = await api.post(`${SPACE}/deployments`, { releaseId: release.id, environmentId: devId });
    const files = AGENTS.map((a) => `${pids}.${a}`);
    const all = await waitFor(() => (files.every((f) => fs.existsSync(f) && fs.readFileSync(f, 'utf8').trim()) ? files.map((f) => Number(fs.readFileSync(f, 'utf8').trim())) : undefined), { timeoutMs: 60_000, message: 'the Deploy scripts did not start' });
    assert.ok(all.every(isAlive));
    await api.call('POST', `/api/tasks/${d.taskId}/cancel`, undefined, 200);
    assert.equal((await waitForDeployment(api, d.id)).state, 'Canceled');
    assert.deepEqual(all.filter(isAlive), [], 'the Deploy scripts are gone');
  });

  it('output variables set on polling and listening agents reach later steps: their own on each target, any by target name, sensitive ones masked', async () => {
    const project = (await api.post(`${SPACE}/projects`, { name: 'Outputs' })).id;
    const onTargets = (name: string, script: string) => ({ name, action: 'RunScript', runOn: 'targets', roles: ['web'], properties: { script, syntax: 'bash' } });
    await api.call('PUT', `${SPACE}/projects/${project}/process`, {
      steps: [
        onTargets('Set', 'shoal-set-variable Color "blue-$SHOAL_TARGET_NAME"\nshoal-set-variable Token "tok-$SHOAL_TARGET_NAME-9x" --sensitive\necho set'),
        onTargets('Use', 'echo "own=#{Shoal.Action[Set].Output.Color} first=#{Shoal.Action[Set].Output[web-1].Color} on $SHOAL_TARGET_NAME mine=#{Shoal.Action[Set].Output.Token}"'),
        { name: 'Server', action: 'RunScript', runOn: 'server', properties: { script: 'echo "listening=#{Shoal.Action[Set].Output[web-3].Color} token=#{Shoal.Action[Set].Output[web-2].Token}"', syntax: 'bash' } },
      ],
    }, 200);
    const release = await api.post(`${SPACE}/releases`, { projectId: project });
    const d = await waitForDeployment(api, (await api.post(`${SPACE}/deployments`, { releaseId: release.id, environmentId: devId })).id, 120_000);
    const log = await taskLog(api, d.taskId);
    assert.equal(d.state, 'Success', `${d.errorMessage}\n${log}`);
    for (const agent of AGENTS) {
      assert.match(log, new RegExp(`Output variable Shoal\\.Action\\[Set\\]\\.Output\\[${agent}\\]\\.Token \\(sensitive\\) is set\\.`));
      assert.match(log, new RegExp(`own=blue-${agent} first=blue-web-1 on ${agent} mine=\\*{8}`), "each target reads its own value, and any target's by name; the sensitive one is masked in what the agent sent");
    }
    assert.match(log, /listening=blue-web-3 token=\*\*\*/);
    assert.doesNotMatch(log, /tok-web-\d-9x/, 'the sensitive output is masked wherever it appears');
    const stored = readShoalDb(path.join(dir, 'node'), (db) => db.prepare("SELECT result FROM agent_work WHERE result LIKE '%outputVariables%'").all() as { result: string }[]);
    assert.ok(stored.length >= AGENTS.length, `the Set step's results: ${stored.length}`);
    assert.ok(stored.every((r) => !r.result.includes('tok-web') && !r.result.includes('blue-web')), 'output variables are stored sealed');
  });

  it("the comms port serves a package only for the agent's own running work", async () => {
    const sha256 = fs.readdirSync(path.join(dir, 'web-1', 'packages'))[0]!;
    const agentDir = path.join(dir, 'web-1');
    const get = (headers: Record<string, string>) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = https.request({ host: '127.0.0.1', port: commsPortOf(node), path: `/agent/packages/${sha256}`, method: 'GET', headers, key: fs.readFileSync(path.join(agentDir, 'agent.key')), cert: fs.readFileSync(path.join(agentDir, 'agent.crt')), rejectUnauthorized: false }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    const before = bytesServed(node, sha256).bytes;
    const bare = await get({});
    assert.equal(bare.status, 400);
    assert.match(bare.body, /names its work in the x-shoal-work-id/);
    const forged = await get({ 'x-shoal-work-id': '1', 'x-shoal-work-token': 'guessed' });
    assert.equal(forged.status, 403);
    assert.match(forged.body, /no package is served for it/);
    assert.equal(bytesServed(node, sha256).bytes, before);
  });
});
