/**
 * Packages on a two-node PostgreSQL cluster, agents polling through HAProxy's TCP frontend
 * (node2 serves agents, node1 is the backup and runs the deployment): the package reaches
 * both agents from node2, streamed from the shared packages storage, though node1 runs the
 * task; an agent holding the first part of the package from a broken transfer asks for the
 * rest with `Range`; a second deployment of the same version transfers no byte.
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

const AGENTS = ['web-a', 'web-b'];
const HEAD = 100_000;

describe('packages on polling agents of a two-node cluster behind HAProxy', { timeout: 600_000 }, () => {
  let cluster: Cluster;
  let api: ShoalClient;
  let devId: string;
  let projectId: string;
  let zip: Buffer;
  let sha256: string;

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
    zip = await buildZip({ 'conf/site.conf': 'name=#{Shoal.Target.Name}\ngreeting=#{Greeting}\n', 'data/random.txt': crypto.randomBytes(600_000).toString('base64') });
    await uploadPackage(api, 'Acme.Site.1.0.0.zip', zip);
    sha256 = (await api.get(`${SPACE}/packages/Acme.Site/versions/1.0.0`)).hash;
    for (const name of AGENTS) {
      const dir = path.join(cluster.dir, name);
      const r = await runAgentCli(['register', '--server', node1.url, '--api-key', apiKey, '--name', name, '--environment', 'Dev', '--role', 'web', '--comms', lb.url, '--data-dir', dir]);
      assert.equal(r.code, 0, r.stderr);
    }
    // web-b kept the first bytes of an earlier, broken transfer of this package.
    fs.mkdirSync(path.join(cluster.dir, 'web-b', 'packages'), { recursive: true });
    fs.writeFileSync(path.join(cluster.dir, 'web-b', 'packages', `${sha256}.partial`), zip.subarray(0, HEAD));
    for (const name of AGENTS) startAgent(path.join(cluster.dir, name));
    await waitFor(async () => (await api.get(`${SPACE}/targets`)).filter((t: { status: string }) => t.status === 'Healthy').length === 2, { timeoutMs: 60_000, message: 'the agents did not become Healthy' });
    projectId = (await api.post(`${SPACE}/projects`, { name: 'Site' })).id;
    await api.call('PUT', `${SPACE}/projects/${projectId}/process`, { steps: [{ name: 'Site', action: 'DeployPackage', runOn: 'targets', roles: ['web'], properties: { packageId: 'Acme.Site', installPath: `${cluster.dir}/install/#{Shoal.Target.Name}/#{Shoal.Deployment.Id}`, substituteInFiles: ['conf/*.conf'] } }] }, 200);
    await api.call('PUT', `${SPACE}/projects/${projectId}/variables`, { variables: [{ name: 'Greeting', value: 'hello cluster' }] }, 200);
  });
  after(() => teardown());

  const deploy = async () => {
    const release = await api.post(`${SPACE}/releases`, { projectId });
    const d = await api.post(`${SPACE}/deployments`, { releaseId: release.id, environmentId: devId });
    return { ...(await waitForDeployment(api, d.id, 120_000)), deploymentId: d.id as string };
  };

  it('node2 serves the package from shared storage while node1 runs the deployment; a partial download resumes with Range; a second deployment moves no byte', async () => {
    const [node1, node2] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
    const first = await deploy();
    assert.equal(first.state, 'Success', `${first.errorMessage}\n${await taskLog(api, first.taskId)}`);
    for (const agent of AGENTS) {
      assert.equal(fs.readFileSync(path.join(cluster.dir, 'install', agent, first.deploymentId, 'conf/site.conf'), 'utf8'), `name=${agent}\ngreeting=hello cluster\n`);
      assert.deepEqual(fs.readdirSync(path.join(cluster.dir, agent, 'packages')), [sha256]);
    }
    const served = bytesServed(node2, sha256);
    assert.equal(bytesServed(node1, sha256).bytes, 0, 'node1 ran the task; agents reach node2 through HAProxy');
    assert.deepEqual(served.starts.sort((a, b) => a - b), [0, HEAD], 'web-a fetched it whole, web-b from where its partial file ended');
    assert.equal(served.bytes, 2 * zip.length - HEAD);
    assert.match(await taskLog(api, first.taskId), new RegExp(`resuming the transfer at byte ${HEAD} of ${zip.length}`));

    const second = await deploy();
    assert.equal(second.state, 'Success', second.errorMessage ?? '');
    for (const agent of AGENTS) assert.match(fs.readFileSync(path.join(cluster.dir, 'install', agent, second.deploymentId, 'conf/site.conf'), 'utf8'), new RegExp(`name=${agent}`));
    assert.equal(bytesServed(node2, sha256).bytes + bytesServed(node1, sha256).bytes, served.bytes, 'no package byte moved for the second deployment');
  });
});
