/**
 * Packages on a two-node PostgreSQL cluster: three agents poll through HAProxy's TCP frontend
 * (node2 serves them, node1 is the backup and runs the deployment) and a fourth listens (node1,
 * running the step, dials it). The package reaches the polling agents from node2, streamed from
 * the shared packages storage though node1 runs the task, and the listening one from node1 over
 * the connection it dialed; every install folder holds the files with variables substituted per
 * target; each target's log lines are readable while its script still runs; an agent holding
 * the first part of the package from a broken transfer asks for the rest with `Range`; a second
 * deployment of the same version transfers no byte.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bytesServed } from '../helpers/agentPackages.js';
import { ShoalClient } from '../helpers/apiClient.js';
import { commsPortOf, runAgentCli, startAgent, startCommsHaproxy } from '../helpers/agents.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { buildZip, SPACE, uploadPackage, waitForDeployment } from '../helpers/deployments.js';
import { freePort } from '../helpers/freePort.js';
import { taskLog } from '../helpers/tasks.js';
import { teardown } from '../helpers/teardown.js';
import { waitFor } from '../../server-core/src/testing/wait.js';

const POLLING = ['web-a', 'web-b', 'web-c'];
const LISTENING = 'web-d';
const AGENTS = [...POLLING, LISTENING];
const HEAD = 100_000;

describe('packages on polling agents behind HAProxy and a listening agent, on a two-node cluster', { timeout: 600_000 }, () => {
  let cluster: Cluster;
  let api: ShoalClient;
  let devId: string;
  let projectId: string;
  let zip: Buffer;
  let sha256: string;
  let gate: string;

  before(async () => {
    cluster = await startCluster(2, 5);
    const [node1, node2] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
    api = await ShoalClient.login(node1.url, 'admin', node1.adminPassword);
    const apiKey = await api.createApiKey('agents');
    await api.call('PATCH', '/api/nodes/node2', { taskCap: 0 }, 200);
    const lb = await startCommsHaproxy(cluster.dir, await freePort(), [
      { name: 'node2', port: commsPortOf(node2) },
      { name: 'node1', port: commsPortOf(node1), backup: true },
    ]);
    devId = (await api.post(`${SPACE}/environments`, { name: 'Dev' })).id;
    gate = path.join(cluster.dir, 'gate');
    // Deploy.sh says where it is, then holds until the test has read that line from the task log.
    const deploySh = `echo "waiting on #{Shoal.Target.Name}"\nfor i in $(seq 600); do [ -e '${gate}' ] && break; sleep 0.1; done\necho "released on #{Shoal.Target.Name}"\n`;
    zip = await buildZip({ 'conf/site.conf': 'name=#{Shoal.Target.Name}\ngreeting=#{Greeting}\n', 'data/random.txt': crypto.randomBytes(600_000).toString('base64'), 'Deploy.sh': deploySh });
    await uploadPackage(api, 'Acme.Site.1.0.0.zip', zip);
    sha256 = (await api.get(`${SPACE}/packages/Acme.Site/versions/1.0.0`)).hash;
    for (const name of AGENTS) {
      const dir = path.join(cluster.dir, name);
      const port = await freePort();
      const mode = name === LISTENING ? ['--mode', 'listening', '--listen-port', String(port), '--public-url', `https://127.0.0.1:${port}`] : ['--comms', lb.url];
      const r = await runAgentCli(['register', '--server', node1.url, '--api-key', apiKey, '--name', name, '--environment', 'Dev', '--role', 'web', ...mode, '--data-dir', dir]);
      assert.equal(r.code, 0, r.stderr);
    }
    // web-b kept the first bytes of an earlier, broken transfer of this package.
    fs.mkdirSync(path.join(cluster.dir, 'web-b', 'packages'), { recursive: true });
    fs.writeFileSync(path.join(cluster.dir, 'web-b', 'packages', `${sha256}.partial`), zip.subarray(0, HEAD));
    for (const name of AGENTS) startAgent(path.join(cluster.dir, name));
    await waitFor(async () => (await api.get(`${SPACE}/targets`)).filter((t: { status: string }) => t.status === 'Healthy').length === AGENTS.length, { timeoutMs: 60_000, message: 'the agents did not become Healthy' });
    projectId = (await api.post(`${SPACE}/projects`, { name: 'Site' })).id;
    await api.call('PUT', `${SPACE}/projects/${projectId}/process`, { steps: [{ name: 'Site', action: 'DeployPackage', runOn: 'targets', roles: ['web'], properties: { packageId: 'Acme.Site', substituteInFiles: ['conf/*.conf'], installPath: `${cluster.dir}/install/#{Shoal.Target.Name}/#{Shoal.Deployment.Id}` } }] }, 200);
    await api.call('PUT', `${SPACE}/projects/${projectId}/variables`, { variables: [{ name: 'Greeting', value: 'hello cluster' }] }, 200);
  });
  after(() => teardown());

  const deploy = async () => {
    const release = await api.post(`${SPACE}/releases`, { projectId });
    const d = await api.post(`${SPACE}/deployments`, { releaseId: release.id, environmentId: devId });
    return { ...(await waitForDeployment(api, d.id, 120_000)), deploymentId: d.id as string };
  };

  it('node2 serves the polling agents from shared storage and node1 the listening one while node1 runs the deployment; logs arrive live; a partial download resumes with Range; a second deployment moves no byte', async () => {
    const [node1, node2] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
    const release = await api.post(`${SPACE}/releases`, { projectId });
    const started = await api.post(`${SPACE}/deployments`, { releaseId: release.id, environmentId: devId });
    const waiting = (log: string) => AGENTS.every((a) => log.includes(`waiting on ${a}`));
    await waitFor(async () => waiting(await taskLog(api, started.taskId)), { timeoutMs: 90_000, message: "every target's first line in the task log while its script runs" });
    assert.equal((await api.get(`/api/tasks/${started.taskId}`)).state, 'Executing', 'the lines arrived before the step ended');
    assert.doesNotMatch(await taskLog(api, started.taskId), /released on/);
    fs.writeFileSync(gate, '');
    const first = { ...(await waitForDeployment(api, started.id, 120_000)), deploymentId: started.id as string };
    assert.equal(first.state, 'Success', `${first.errorMessage}\n${await taskLog(api, first.taskId)}`);
    for (const agent of AGENTS) {
      assert.equal(fs.readFileSync(path.join(cluster.dir, 'install', agent, first.deploymentId, 'conf/site.conf'), 'utf8'), `name=${agent}\ngreeting=hello cluster\n`);
      assert.deepEqual(fs.readdirSync(path.join(cluster.dir, agent, 'packages')), [sha256]);
    }
    const log = await taskLog(api, first.taskId);
    for (const agent of AGENTS) assert.match(log, new RegExp(`released on ${agent}`));
    const served = bytesServed(node2, sha256);
    assert.deepEqual(served.starts.sort((a, b) => a - b), [0, 0, HEAD], 'web-a and web-c fetched it whole through HAProxy, web-b from where its partial file ended');
    assert.equal(served.bytes, POLLING.length * zip.length - HEAD);
    assert.deepEqual(bytesServed(node1, sha256), { bytes: zip.length, starts: [0] }, 'node1 ran the task and sent the listening agent the package over the connection it dialed');
    assert.match(log, new RegExp(`resuming the transfer at byte ${HEAD} of ${zip.length}`));

    const second = await deploy();
    assert.equal(second.state, 'Success', second.errorMessage ?? '');
    for (const agent of AGENTS) assert.match(fs.readFileSync(path.join(cluster.dir, 'install', agent, second.deploymentId, 'conf/site.conf'), 'utf8'), new RegExp(`name=${agent}`));
    assert.equal(bytesServed(node2, sha256).bytes + bytesServed(node1, sha256).bytes, served.bytes + zip.length, 'no package byte moved for the second deployment');
  });
});
