/**
 * The Octopus TS client against a two-node PostgreSQL cluster behind HAProxy: one installation
 * (the same InstallationId from every node), a push, a release, deployments to two environments
 * spread over the nodes, and the task waiter polling through the load balancer.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, DeploymentRepository, OverwriteMode, PackageRepository, ReleaseRepository, ServerTaskWaiter } from '@octopusdeploy/api-client';
import { ShoalClient } from '../helpers/apiClient.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { buildZip, SPACE } from '../helpers/deployments.js';
import { freePort } from '../helpers/freePort.js';
import { startHaproxy } from '../helpers/haproxy.js';
import { teardown } from '../helpers/teardown.js';

after(() => teardown());

describe('Octopus TS client against a two-node cluster behind HAProxy', { timeout: 300_000 }, () => {
  let cluster: Cluster;
  let lbUrl: string;
  let apiKey: string;

  before(async () => {
    cluster = await startCluster(2, 2);
    lbUrl = (await startHaproxy(cluster.dir, await freePort(), cluster.nodes.map((n) => ({ name: n.nodeName, port: n.port })))).url;
    const api = await ShoalClient.login(lbUrl, 'admin', cluster.nodes[0]!.adminPassword);
    apiKey = await api.createApiKey('pipeline');
    const envs = [];
    for (const name of ['Blue', 'Green']) envs.push((await api.call('POST', `${SPACE}/environments`, { name }, 201)).id);
    const lifecycle = await api.call('POST', `${SPACE}/lifecycles`, { name: 'Either', phases: [{ name: 'Any', environmentIds: envs }] }, 201);
    const project = await api.call('POST', `${SPACE}/projects`, { name: 'Cluster Web', lifecycleId: lifecycle.id }, 201);
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(await buildZip({ 'Deploy.sh': 'echo first' }))]), 'Cluster.Web.0.1.0.zip');
    assert.equal((await fetch(`${lbUrl}${SPACE}/packages/raw`, { method: 'POST', headers: api.headers(), body: form })).status, 201);
    await api.call('PUT', `${SPACE}/projects/${project.id}/process`, {
      steps: [{ name: 'Deploy', action: 'DeployPackage', properties: { packageId: 'Cluster.Web', installPath: `${cluster.dir}/install/#{Shoal.Environment.Name}` } }],
    }, 200);
  });

  it('every node reports the same installation', async () => {
    const idOf = async (url: string) => (await (await fetch(`${url}/api`, { headers: { 'x-octopus-apikey': apiKey } })).json()) as { InstallationId: string; Version: string };
    const [a, b] = await Promise.all(cluster.nodes.map((n) => idOf(n.url)));
    assert.match(a!.InstallationId, /^[0-9a-f-]{36}$/);
    assert.equal(a!.InstallationId, b!.InstallationId);
  });

  it('pushes, creates a release, deploys to two environments and waits through the load balancer', async () => {
    const client = await Client.create({ instanceURL: lbUrl, apiKey, userAgentApp: 'shoal-cluster-tests' });
    const file = path.join(cluster.dir, 'Cluster.Web.1.0.0.zip');
    fs.writeFileSync(file, await buildZip({ 'Deploy.sh': 'echo "#{Shoal.Release.Number} in #{Shoal.Environment.Name} on $SHOAL_NODE_NAME" > "$SHOAL_INSTALL_PATH/deployed.txt"\n' }));
    await new PackageRepository(client, 'Default').push([file], OverwriteMode.FailIfExists);
    await assert.rejects(new PackageRepository(client, 'Default').push([file], OverwriteMode.FailIfExists), /already/);
    const release = await new ReleaseRepository(client, 'Default').create({ spaceName: 'Default', ProjectName: 'Cluster Web', PackageVersion: '1.0.0' });
    const created = await new DeploymentRepository(client, 'Default').create({ spaceName: 'Default', ProjectName: 'Cluster Web', ReleaseVersion: release.ReleaseVersion, EnvironmentNames: ['Blue', 'Green'] });
    assert.equal(created.DeploymentServerTasks.length, 2);
    const tasks = await new ServerTaskWaiter(client, 'Default').waitForServerTasksToComplete(created.DeploymentServerTasks.map((t) => t.ServerTaskId), 200, 120_000);
    assert.deepEqual(tasks.map((t) => t.State), ['Success', 'Success']);
    for (const env of ['Blue', 'Green']) assert.match(fs.readFileSync(path.join(cluster.dir, 'install', env, 'deployed.txt'), 'utf8'), new RegExp(`^${release.ReleaseVersion.replace(/\./g, '\\.')} in ${env} on node[12]\n$`));
  });
});
