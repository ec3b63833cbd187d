/**
 * Build pipelines written for Octopus Deploy, against a real Shoal node: the real
 * `@octopusdeploy/api-client` (what Octopus's GitHub Actions bundle) pushes a package, creates
 * releases, deploys and waits; the Go `octopus` CLI's calls (it cannot be installed here: no Go
 * toolchain) are made as plain HTTP requests with the request shapes it sends.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, DeploymentRepository, OverwriteMode, PackageRepository, ReleaseRepository, RunbookRunRepository, ServerTaskWaiter } from '@octopusdeploy/api-client';
import { ShoalClient } from '../helpers/apiClient.js';
import { buildZip, SPACE, uploadPackage } from '../helpers/deployments.js';
import { startShoalProcess, type ShoalProcess } from '../helpers/shoalProcess.js';
import { teardown } from '../helpers/teardown.js';
import { tempDir } from '../helpers/tempDir.js';

after(() => teardown());

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

describe('Octopus clients against Shoal', { timeout: 240_000 }, () => {
  let node: ShoalProcess;
  let api: ShoalClient;
  let apiKey: string;
  let octopus: Client;
  let dir: string;
  const ids: Record<string, string> = {};

  /** A Go CLI request: its headers, its JSON body. */
  const go = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${node.url}${p}`, {
      method,
      headers: { 'x-octopus-apikey': apiKey, 'user-agent': 'go-octopusdeploy/2.114.1 (linux; amd64) go/1.26.6 octopus/2.20.0', accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json = /json/.test(res.headers.get('content-type') ?? '');
    return { status: res.status, body: json && text ? JSON.parse(text) : undefined, text };
  };

  before(async () => {
    dir = tempDir('shoal-octopus-');
    node = await startShoalProcess({ dataDir: path.join(dir, 'data'), nodeName: 'octopus-clients', taskCap: 3 });
    api = await ShoalClient.login(node.url, 'admin', node.adminPassword);
    apiKey = await api.createApiKey('pipeline');
    for (const name of ['Dev', 'Prod']) ids[name] = (await api.call('POST', `${SPACE}/environments`, { name }, 201)).id;
    const lifecycle = (await api.get<{ id: string; isDefault: boolean }[]>(`${SPACE}/lifecycles`)).find((l) => l.isDefault)!;
    ids.web = (await api.call('POST', `${SPACE}/projects`, { name: 'Octo Web', lifecycleId: lifecycle.id }, 201)).id;
    // The process names a package the pipeline pushes next; the first version must exist to save it.
    await uploadPackage(api, 'Octo.Web.0.9.0.zip', await buildZip({ 'Deploy.sh': 'echo old' }));
    await api.call('PUT', `${SPACE}/projects/${ids.web}/process`, {
      steps: [{ name: 'Deploy web', action: 'DeployPackage', properties: { packageId: 'Octo.Web', installPath: `${dir}/install/#{Shoal.Environment.Name}` } }],
    }, 200);
    ids.broken = (await api.call('POST', `${SPACE}/projects`, { name: 'Octo Broken', lifecycleId: lifecycle.id }, 201)).id;
    await api.call('PUT', `${SPACE}/projects/${ids.broken}/process`, { steps: [{ name: 'Fail', action: 'RunScript', properties: { script: 'echo "about to fail"; exit 3', syntax: 'bash' } }] }, 200);
    octopus = await Client.create({ instanceURL: node.url, apiKey, userAgentApp: 'shoal-tests' });
  });

  it('connects: the root document has a version the client accepts', async () => {
    const info = await octopus.getServerInformation();
    assert.match(info.version, /^\d+\.\d+\.\d+$/);
  });

  it('pushes a package with each overwrite mode; a duplicate surfaces the server’s ErrorMessage', async () => {
    const file = path.join(dir, 'Octo.Web.1.0.0.zip');
    fs.writeFileSync(file, await buildZip({ 'Deploy.sh': 'echo "deployed #{Shoal.Release.Number} to #{Shoal.Environment.Name}" > "$SHOAL_INSTALL_PATH/deployed.txt"\n' }));
    const packages = new PackageRepository(octopus, 'Default');
    await packages.push([file], OverwriteMode.FailIfExists);
    await assert.rejects(packages.push([file], OverwriteMode.FailIfExists), /already/);
    await packages.push([file], OverwriteMode.IgnoreIfExists);
    await packages.push([file], OverwriteMode.OverwriteExisting);
    const versions = await api.get<{ items: { version: string }[] }>(`${SPACE}/packages/Octo.Web/versions`);
    assert.deepEqual(versions.items.map((v) => v.version).sort(), ['0.9.0', '1.0.0']);
  });

  it('creates releases with and without versions; an unknown project is the server’s message', async () => {
    const releases = new ReleaseRepository(octopus, 'Default');
    const pinned = await releases.create({ spaceName: 'Default', ProjectName: 'Octo Web', ReleaseVersion: '1.0.0', Packages: ['Octo.Web:1.0.0'], ReleaseNotes: 'from a pipeline' });
    assert.equal(pinned.ReleaseVersion, '1.0.0');
    ids.release = pinned.ReleaseId;
    const native = await api.get(`${SPACE}/releases/${pinned.ReleaseId}`);
    assert.deepEqual(native.packages, [{ stepName: 'Deploy web', packageId: 'Octo.Web', version: '1.0.0' }]);
    assert.equal(native.notes, 'from a pipeline');
    const next = await releases.create({ spaceName: 'Default', ProjectName: 'octo web', PackageVersion: '0.9.0' });
    assert.equal(next.ReleaseVersion, '1.0.1', 'the next version after the last release');
    const again = await releases.create({ spaceName: 'Default', ProjectName: 'Octo Web', ReleaseVersion: '1.0.0', IgnoreIfAlreadyExists: true });
    assert.equal(again.ReleaseId, pinned.ReleaseId);
    await assert.rejects(releases.create({ spaceName: 'Default', ProjectName: 'Octo Web', ReleaseVersion: '1.0.0' }), /already has a release 1\.0\.0/);
    await assert.rejects(releases.create({ spaceName: 'Default', ProjectName: 'Nope' }), /ProjectName: there is no project "Nope"/);
  });

  it('deploys to an environment and waits with the task waiter until Success; the script ran', async () => {
    const deployments = new DeploymentRepository(octopus, 'Default');
    const created = await deployments.create({ spaceName: 'Default', ProjectName: 'Octo Web', ReleaseVersion: '1.0.0', EnvironmentNames: ['Dev'] });
    assert.equal(created.DeploymentServerTasks.length, 1);
    const { DeploymentId, ServerTaskId } = created.DeploymentServerTasks[0]!;
    const [task] = await new ServerTaskWaiter(octopus, 'Default').waitForServerTasksToComplete([ServerTaskId], 200, 60_000);
    assert.equal(task!.State, 'Success');
    assert.equal(task!.IsCompleted, true);
    assert.equal(fs.readFileSync(path.join(dir, 'install', 'Dev', 'deployed.txt'), 'utf8').trim(), 'deployed 1.0.0 to Dev');
    // The deploy-release action's follow-ups: the deployments by id, joined to environments by id.
    const listed = await deployments.list({ ids: [DeploymentId], take: 1 });
    assert.equal(listed.Items[0]!.TaskId, ServerTaskId);
    assert.equal(listed.Items[0]!.EnvironmentId, ids.Dev);
    const envs = await go('GET', `${SPACE}/environments/v2?ids=${ids.Dev}&skip=0&take=1`);
    assert.deepEqual(envs.body.Items.map((e: { Id: string; Name: string }) => [e.Id, e.Name]), [[ids.Dev, 'Dev']]);
    // The Go CLI's `task wait --progress`, and the raw log; native clients keep Shoal's log tree.
    const details = await go('GET', `/api/tasks/${ServerTaskId}/details`);
    assert.equal(details.body.Task.State, 'Success');
    const step = details.body.ActivityLogs[0].Children[0];
    assert.deepEqual([step.Name, step.Status], ['Deploy web', 'Success']);
    assert.match(step.Started, RFC3339);
    assert.equal((await go('GET', `${SPACE}/tasks/${ServerTaskId}/details`)).body.ActivityLogs[0].Children.length, 1);
    const native = await api.get(`/api/tasks/${ServerTaskId}/details`);
    assert.equal(native.activities[0].name, 'Deploy web');
    const raw = await go('GET', `/api/tasks/${ServerTaskId}/raw`);
    assert.equal(raw.status, 200);
    assert.equal(raw.body, undefined, 'plain text, not JSON');
    assert.match(raw.text, /Deploy/, raw.text);
  });

  it('a lifecycle refusal surfaces the server’s ErrorMessage; a failing deployment is reported failed', async () => {
    const deployments = new DeploymentRepository(octopus, 'Default');
    await assert.rejects(deployments.create({ spaceName: 'Default', ProjectName: 'Octo Web', ReleaseVersion: '1.0.1', EnvironmentNames: ['Prod'] }), /cannot be deployed to Prod/);
    const none = await api.get<{ items: unknown[] }>(`${SPACE}/deployments?releaseId=${(await api.get<{ items: { id: string }[] }>(`${SPACE}/releases?projectId=${ids.web}&version=1.0.1`)).items[0]!.id}`);
    assert.equal(none.items.length, 0, 'nothing was queued');
    await new ReleaseRepository(octopus, 'Default').create({ spaceName: 'Default', ProjectName: 'Octo Broken', ReleaseVersion: '1.0.0' });
    const created = await deployments.create({ spaceName: 'Default', ProjectName: 'Octo Broken', ReleaseVersion: '1.0.0', EnvironmentNames: ['Dev'] });
    const [task] = await new ServerTaskWaiter(octopus, 'Default').waitForServerTasksToComplete([created.DeploymentServerTasks[0]!.ServerTaskId], 200, 60_000);
    assert.equal(task!.State, 'Failed');
    const raw = await go('GET', `/api/tasks?ids=${task!.Id}`);
    assert.equal(raw.body.Items[0].FinishedSuccessfully, false);
    assert.equal(raw.body.Items[0].IsCompleted, true);
  });

  it('runs a runbook in an environment (the run-runbook action’s command and follow-up)', async () => {
    const runbook = await api.call('POST', `${SPACE}/projects/${ids.web}/runbooks`, { name: 'Restart' }, 201);
    await api.call('PUT', `${SPACE}/projects/${ids.web}/runbooks/${runbook.id}/process`, {
      steps: [{ name: 'Restart', action: 'RunScript', properties: { script: `echo "restarted in #{Shoal.Environment.Name}" > "${dir}/restarted.txt"`, syntax: 'bash' } }],
    }, 200);
    await api.call('POST', `${SPACE}/projects/${ids.web}/runbooks/${runbook.id}/publish`, {}, 201);
    const runs = new RunbookRunRepository(octopus, 'Default');
    const created = await runs.create({ spaceName: 'Default', ProjectName: 'Octo Web', RunbookName: 'restart', EnvironmentNames: ['Prod'], Tenants: [], TenantTags: [] });
    const { RunbookRunId, ServerTaskId } = created.RunbookRunServerTasks[0]!;
    const [task] = await new ServerTaskWaiter(octopus, 'Default').waitForServerTasksToComplete([ServerTaskId], 200, 60_000);
    assert.equal(task!.State, 'Success');
    assert.equal(fs.readFileSync(path.join(dir, 'restarted.txt'), 'utf8').trim(), 'restarted in Prod');
    const listed = await go('GET', `${SPACE}/runbookRuns?take=1&ids=${RunbookRunId}`);
    assert.equal(listed.body.Items[0].TaskId, ServerTaskId);
    assert.equal(listed.body.Items[0].EnvironmentId, ids.Prod);
    await assert.rejects(runs.create({ spaceName: 'Default', ProjectName: 'Octo Web', RunbookName: 'Nope', EnvironmentNames: ['Prod'] }), /has no runbook "Nope"/);
  });

  it('native clients get native shapes on the paths Octopus clients share', async () => {
    const envs = await api.get<{ id: string; name: string }[]>(`${SPACE}/environments`);
    assert.ok(Array.isArray(envs));
    assert.equal(envs[0]!.name, 'Dev');
    const tasks = await api.get<{ items: { id: string; state: string }[]; total: number }>('/api/tasks?take=5');
    assert.equal(typeof tasks.total, 'number');
    const release = await api.get(`${SPACE}/releases/${ids.release}`);
    assert.ok(Array.isArray(release.progression));
    const bad = await api.request('GET', '/api/tasks?take=0');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'BadRequest', 'native validation and error shape unchanged');
    const asOctopus = await go('GET', `${SPACE}/releases/${ids.release}`);
    assert.equal(asOctopus.body.Version, '1.0.0');
    assert.match(asOctopus.body.Assembled, RFC3339);
  });

  it('the Go CLI’s calls: root links, spaces, space root, project lookup, camelCase commands, task lists, cancel', async () => {
    const root = await go('GET', '/api/');
    assert.match(root.body.InstallationId, /^[0-9a-f-]{36}$/);
    assert.ok(root.body.Links.Spaces.startsWith('/api/spaces'));
    const spaces = await go('GET', '/api/spaces');
    assert.equal(spaces.body.Items.find((s: { IsDefault: boolean }) => s.IsDefault).Id, 'Spaces-1');
    const all = await go('GET', '/api/spaces/all');
    assert.equal(all.body[0].Name, 'Default');
    const spaceRoot = await go('GET', '/api/Spaces-1');
    assert.match(spaceRoot.body.Links.Projects, /^\/api\/Spaces-1\/projects\{\/id\}/);

    // FindProject: by name in the {/id} slot → 404, then partialName (form-encoded, `+` for a space).
    const byName = await go('GET', `${SPACE}/projects/Octo%20Web`);
    assert.equal(byName.status, 404);
    assert.equal(typeof byName.body.ErrorMessage, 'string');
    const found = await go('GET', `${SPACE}/projects?partialName=Octo+Web`);
    const project = found.body.Items.find((p: { Name: string }) => p.Name === 'Octo Web');
    assert.equal(project.PersistenceSettings.Type, 'Database');
    assert.ok(project.LifecycleId && project.ProjectGroupId);
    assert.equal((await go('GET', `${SPACE}/projects/octo-web`)).body.Id, ids.web, 'by slug');

    const release = await go('POST', `${SPACE}/releases/create/v1`, {
      spaceIdOrName: 'Spaces-1', spaceId: 'Spaces-1', projectName: 'Octo Web', releaseVersion: '2.0.0', packages: ['Deploy web:1.0.0'], ignoreIfAlreadyExists: false, ignoreChannelRules: false,
    });
    assert.equal(release.status, 201, release.text);
    assert.equal(release.body.ReleaseVersion, '2.0.0');
    const fetched = await go('GET', `${SPACE}/releases/${release.body.ReleaseId}`);
    assert.equal(fetched.body.Version, '2.0.0');
    assert.equal((await go('GET', `${SPACE}/projects/${ids.web}/releases/2.0.0`)).body.Id, release.body.ReleaseId);

    const deploy = await go('POST', `${SPACE}/deployments/create/untenanted/v1`, {
      spaceIdOrName: 'Spaces-1', spaceId: 'Spaces-1', projectName: 'Octo Web', releaseVersion: '2.0.0', environmentNames: ['dev'],
      forcePackageRedeployment: false, updateVariableSnapshot: false, forcePackageDownload: false, useGuidedFailure: null,
    });
    assert.equal(deploy.status, 201, deploy.text);
    const taskId = deploy.body.DeploymentServerTasks[0].ServerTaskId as string;
    const tasks = await go('GET', `${SPACE}/tasks?ids=${encodeURIComponent(`${taskId},ServerTasks-1`)}`);
    assert.equal(tasks.status, 200, tasks.text);
    const item = tasks.body.Items.find((t: { Id: string }) => t.Id === taskId);
    assert.equal(typeof item.FinishedSuccessfully, 'boolean');
    assert.match(item.QueueTime, RFC3339);
    assert.equal(tasks.body.Links['Page.Next'], undefined);
    const cancel = await go('POST', `/api/spaces/Spaces-1/tasks/${taskId}/cancel`);
    assert.equal(cancel.status, 200, cancel.text);
    assert.equal(cancel.body.Id, taskId);

    // `octopus package upload`: the file in the part `file`, streamed chunked (no Content-Length); 201 then 200 with JSON.
    const upload = async (mode: string) => {
      const boundary = 'go-boundary-1234';
      const zip = await buildZip({ 'Deploy.sh': 'echo go' });
      const parts = [
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="Go.App.1.0.0.zip"\r\nContent-Type: application/octet-stream\r\n\r\n`),
        zip,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ];
      const body = new ReadableStream({ pull(c) { const next = parts.shift(); if (next) c.enqueue(new Uint8Array(next)); else c.close(); } });
      const res = await fetch(`${node.url}${SPACE}/packages/raw?overwriteMode=${mode}`, {
        method: 'POST', body, duplex: 'half', headers: { 'x-octopus-apikey': apiKey, 'content-type': `multipart/form-data; boundary=${boundary}` },
      } as RequestInit);
      return { status: res.status, body: (await res.json()) as { PackageId: string; Version: string } };
    };
    const uploaded = await upload('FailIfExists');
    assert.equal(uploaded.status, 201);
    assert.deepEqual([uploaded.body.PackageId, uploaded.body.Version], ['Go.App', '1.0.0']);
    assert.equal((await upload('IgnoreIfExists')).status, 200);

    const tenanted = await go('POST', `${SPACE}/deployments/create/tenanted/v1`, { projectName: 'Octo Web', releaseVersion: '2.0.0', environmentName: 'Dev', tenants: ['A'] });
    assert.equal(tenanted.status, 400);
    assert.match(tenanted.body.ErrorMessage, /tenants/);
    const guided = await go('POST', `${SPACE}/deployments/create/untenanted/v1`, { projectName: 'Octo Web', releaseVersion: '2.0.0', environmentNames: ['Dev'], useGuidedFailure: true });
    assert.equal(guided.status, 400);
    assert.match(guided.body.ErrorMessage, /UseGuidedFailure/);
  });
});
