/**
 * A deployment that waits for a person, and the build server's CLI: a Viewer cannot approve,
 * a Deployer of that environment can; abort ends it Failed with the reason; `shoal deploy
 * --wait` streams the log and exits with the outcome.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ShoalClient } from '../helpers/apiClient.js';
import { runShoalCli } from '../helpers/cli.js';
import { SPACE, waitForDeployment } from '../helpers/deployments.js';
import { startShoalProcess, type ShoalProcess } from '../helpers/shoalProcess.js';
import { teardown } from '../helpers/teardown.js';
import { tempDir } from '../helpers/tempDir.js';
import { waitFor } from '../helpers/waitFor.js';

after(() => teardown());

describe('manual intervention, permissions and the CLI', { timeout: 180_000 }, () => {
  let node: ShoalProcess;
  let admin: ShoalClient;
  let viewer: ShoalClient;
  let testDeployer: ShoalClient;
  let devDeployer: ShoalClient;
  let apiKey: string;
  const ids: Record<string, string> = {};

  before(async () => {
    node = await startShoalProcess({ dataDir: path.join(tempDir('shoal-approval-'), 'data'), nodeName: 'approvals', taskCap: 3 });
    admin = await ShoalClient.login(node.url, 'admin', node.adminPassword);
    for (const name of ['Dev', 'Test']) ids[name] = (await admin.post(`${SPACE}/environments`, { name })).id;
    const teams = await admin.get<{ id: string; name: string }[]>('/api/teams');
    const viewers = teams.find((t) => t.name === 'Viewers')!.id;
    const testTeam = (await admin.post('/api/teams', { name: 'Test deployers', roles: ['Deployer'], environmentIds: [ids.Test] })).id;
    const devTeam = (await admin.post('/api/teams', { name: 'Dev deployers', roles: ['Deployer'], environmentIds: [ids.Dev] })).id;
    await admin.post('/api/users', { username: 'vera', password: 'vera-password-1', teamIds: [viewers] });
    await admin.post('/api/users', { username: 'tess', password: 'tess-password-1', teamIds: [testTeam] });
    await admin.post('/api/users', { username: 'dave', password: 'dave-password-1', teamIds: [devTeam] });
    viewer = await ShoalClient.login(node.url, 'vera', 'vera-password-1');
    testDeployer = await ShoalClient.login(node.url, 'tess', 'tess-password-1');
    devDeployer = await ShoalClient.login(node.url, 'dave', 'dave-password-1');
    apiKey = (await admin.call<{ apiKey: string }>('POST', '/api/users/me/apikeys', { name: 'build-server' }, 201)).apiKey;

    ids.project = (await admin.post(`${SPACE}/projects`, { name: 'Gated' })).id;
    await admin.call('PUT', `${SPACE}/projects/${ids.project}/process`, {
      steps: [
        { name: 'Build info', action: 'RunScript', properties: { script: 'echo "about to ask"' } },
        { name: 'Approve', action: 'ManualIntervention', environmentIds: [ids.Test], properties: { instructions: 'Check #{Shoal.Release.Number} in #{Shoal.Environment.Name}', responsibleTeamIds: [testTeam] } },
        { name: 'After approval', action: 'RunScript', properties: { script: 'echo "approved and running"' } },
        { name: 'On failure', action: 'RunScript', condition: 'failure', properties: { script: 'echo "cleaning up after a failure"' } },
      ],
    }, 200);
  });

  const pendingFor = (taskId: string) =>
    waitFor(async () => (await admin.get<{ id: string; state: string; instructions: string }[]>(`${SPACE}/interruptions?pendingOnly=true&taskId=${taskId}`))[0], {
      timeoutMs: 30_000,
      message: `no pending intervention for ${taskId}`,
    });

  it('a ProjectEditor could not save this process (it runs scripts on the server) and a Viewer cannot deploy', async () => {
    const teams = await admin.get<{ id: string; name: string }[]>('/api/teams');
    await admin.post('/api/users', { username: 'pete', password: 'pete-password-1', teamIds: [teams.find((t) => t.name === 'Project editors')!.id] });
    const editor = await ShoalClient.login(node.url, 'pete', 'pete-password-1');
    const res = await editor.request('PUT', `${SPACE}/projects/${ids.project}/process`, { body: { steps: [{ name: 'x', action: 'RunScript', properties: { script: 'id' } }] } });
    assert.equal(res.status, 403, res.text);
    assert.match(res.body.error.message, /builtInWorkerRunAs/);
    const gate = await editor.request('PUT', `${SPACE}/projects/${ids.project}/process`, { body: { steps: [{ name: 'Gate', action: 'ManualIntervention', properties: {} }] } });
    assert.equal(gate.status, 200, 'a process without server scripts is a ProjectEditor’s to save');
  });

  it('waits; a Viewer gets 403, the Dev deployer 403, the Test deployer approves; recorded in the audit log', async () => {
    // The editor's save above replaced the process; put the gated one back.
    await admin.call('PUT', `${SPACE}/projects/${ids.project}/process`, {
      steps: [
        { name: 'Build info', action: 'RunScript', properties: { script: 'echo "about to ask"' } },
        { name: 'Approve', action: 'ManualIntervention', environmentIds: [ids.Test], properties: { instructions: 'Check #{Shoal.Release.Number} in #{Shoal.Environment.Name}', responsibleTeamIds: [(await admin.get<{ id: string; name: string }[]>('/api/teams')).find((t) => t.name === 'Test deployers')!.id] } },
        { name: 'After approval', action: 'RunScript', properties: { script: 'echo "approved and running"' } },
        { name: 'On failure', action: 'RunScript', condition: 'failure', properties: { script: 'echo "cleaning up after a failure"' } },
      ],
    }, 200);
    ids.release = (await admin.post(`${SPACE}/releases`, { projectId: ids.project, version: '1.0.0' })).id;
    const dev = await devDeployer.post(`${SPACE}/deployments`, { releaseId: ids.release, environmentId: ids.Dev });
    const devDone = await waitForDeployment(admin, dev.id);
    assert.equal(devDone.state, 'Success', 'the intervention only applies to Test');
    const refused = await devDeployer.request('POST', `${SPACE}/deployments`, { body: { releaseId: ids.release, environmentId: ids.Test } });
    assert.equal(refused.status, 403, 'the Dev deployer may not deploy to Test');

    const test = await testDeployer.post(`${SPACE}/deployments`, { releaseId: ids.release, environmentId: ids.Test });
    const pending = await pendingFor(test.taskId);
    assert.equal(pending.instructions, 'Check 1.0.0 in Test');
    assert.equal((await admin.get(`/api/tasks/${test.taskId}`)).state, 'Executing');
    const asViewer = await viewer.request('POST', `${SPACE}/interruptions/${pending.id}/submit`, { body: { result: 'Proceed' } });
    assert.equal(asViewer.status, 403, asViewer.text);
    const asDev = await devDeployer.request('POST', `${SPACE}/interruptions/${pending.id}/submit`, { body: { result: 'Proceed' } });
    assert.equal(asDev.status, 403, asDev.text);
    const listedForTess = await testDeployer.get<{ id: string; canSubmit: boolean }[]>(`${SPACE}/interruptions?pendingOnly=true`);
    assert.equal(listedForTess.find((i) => i.id === pending.id)?.canSubmit, true);
    await testDeployer.post(`${SPACE}/interruptions/${pending.id}/submit`, { result: 'Proceed', notes: 'looks good' });
    const again = await testDeployer.request('POST', `${SPACE}/interruptions/${pending.id}/submit`, { body: { result: 'Abort' } });
    assert.equal(again.status, 409, 'submitted once only');
    const done = await waitForDeployment(admin, test.id);
    assert.equal(done.state, 'Success', done.errorMessage ?? '');
    const details = await admin.get(`/api/tasks/${test.taskId}/details`);
    assert.deepEqual(details.activities.map((a: { state: string }) => a.state), ['Success', 'Success', 'Success', 'Skipped']);
    const events = await admin.get<{ items: { action: string; username: string; details: { notes: string } }[] }>('/api/events?take=100');
    const approved = events.items.find((e) => e.action === 'interruption.proceed');
    assert.equal(approved?.username, 'tess');
    assert.equal(approved?.details.notes, 'looks good');
  });

  it('an abort ends the deployment Failed with the reason, and failure steps run', async () => {
    const redo = await testDeployer.post(`${SPACE}/releases/${ids.release}/promote`, { environmentId: ids.Test });
    const pending = await pendingFor(redo.taskId);
    await testDeployer.post(`${SPACE}/interruptions/${pending.id}/submit`, { result: 'Abort', notes: 'not today' });
    const done = await waitForDeployment(admin, redo.id);
    assert.equal(done.state, 'Failed');
    assert.match(done.errorMessage ?? '', /Approve: Aborted by tess: not today/);
    const details = await admin.get(`/api/tasks/${redo.taskId}/details`);
    assert.deepEqual(details.activities.map((a: { state: string }) => a.state), ['Success', 'Failed', 'Skipped', 'Success']);
  });

  it('the Deployer of the environment cancels a waiting deployment; the Dev deployer may not', async () => {
    const d = await testDeployer.post(`${SPACE}/deployments`, { releaseId: ids.release, environmentId: ids.Test });
    const pending = await pendingFor(d.taskId);
    // Dave may not deploy to Test, so he may not cancel there; Tess may, even a deployment an administrator started.
    assert.equal((await devDeployer.request('POST', `/api/tasks/${d.taskId}/cancel`)).status, 403);
    await testDeployer.post(`/api/tasks/${d.taskId}/cancel`);
    assert.equal((await waitForDeployment(admin, d.id)).state, 'Canceled');
    assert.equal((await admin.get(`${SPACE}/interruptions/${pending.id}`)).state, 'Canceled');
    const byAdmin = await admin.post(`${SPACE}/deployments`, { releaseId: ids.release, environmentId: ids.Test });
    await pendingFor(byAdmin.taskId);
    await testDeployer.post(`/api/tasks/${byAdmin.taskId}/cancel`);
    assert.equal((await waitForDeployment(admin, byAdmin.id)).state, 'Canceled');
  });

  it('shoal release create and shoal deploy --wait stream the log and exit with the outcome', async () => {
    await admin.call('PUT', `${SPACE}/projects/${ids.project}/process`, { steps: [{ name: 'Ship it', action: 'RunScript', properties: { script: 'echo "shipping #{Shoal.Release.Number}"\n[ "#{Shoal.Environment.Name}" != Test ] || { echo "Test is broken" >&2; exit 3; }' } }] }, 200);
    const auth = ['--server', node.url, '--api-key', apiKey];
    const created = await runShoalCli(['release', 'create', '--project', 'Gated', '--version', '1.1.0', ...auth]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(JSON.parse(created.stdout).version, '1.1.0');
    assert.match(created.stderr, /Created release 1\.1\.0 of Gated/);
    const ok = await runShoalCli(['deploy', '--project', 'Gated', '--release', '1.1.0', '--environment', 'dev', '--wait', ...auth], {}, 60_000);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /\[Ship it \/ Shoal server \(approvals\)\] shipping 1\.1\.0/);
    const bad = await runShoalCli(['deploy', '--project', 'Gated', '--release', '1.1.0', '--environment', 'Test', '--wait', ...auth], {}, 60_000);
    assert.equal(bad.code, 1, bad.stdout);
    assert.match(bad.stdout, /Test is broken/);
    assert.match(bad.stderr, /ended Failed: The deployment failed at step Ship it/);
    const unknown = await runShoalCli(['deploy', '--project', 'Gated', '--release', '9.9.9', '--environment', 'Test', ...auth]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /Gated has no release 9\.9\.9/);
    const usage = await runShoalCli(['deploy', '--project', 'Gated', ...auth]);
    assert.equal(usage.code, 2);
  });
});
