/**
 * A manual intervention says what waits: the task's description and the deployment or
 * runbook run, so a page listing pending ones can link to it (real node, SQLite).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { removeTempDirs } from '../testing/tempDir.js';
import { jsonApi, startTestNode, type TestNode } from '../testing/testNode.js';
import { waitFor } from '../testing/wait.js';

const S = '/api/Spaces-1';
let tn: TestNode;
let call: ReturnType<typeof jsonApi>;

const APPROVE = [{ name: 'Approve', action: 'ManualIntervention', properties: { instructions: 'Look first' } }];

const pendingOf = (taskId: string) =>
  waitFor(async () => (await call<any[]>('GET', `${S}/interruptions?pendingOnly=true&taskId=${taskId}`))[0], `the intervention of ${taskId}`, { timeoutMs: 20_000 });

describe('what a manual intervention waits for', () => {
  let environmentId: string;
  let projectId: string;

  before(async () => {
    tn = await startTestNode();
    call = jsonApi(tn);
    environmentId = (await call('POST', `${S}/environments`, { name: 'Dev' })).id;
    projectId = (await call('POST', `${S}/projects`, { name: 'Gated' })).id;
    await call('PUT', `${S}/projects/${projectId}/process`, { steps: APPROVE });
  });

  after(async () => {
    await tn?.stop();
    removeTempDirs();
  });

  it('a deployment: its id, no runbook run, and the task description, in the list, the one and the answer to a submit', async () => {
    const release = await call('POST', `${S}/releases`, { projectId });
    const deployment = await call('POST', `${S}/deployments`, { releaseId: release.id, environmentId });
    const task = await call('GET', `/api/tasks/${deployment.taskId}`);
    const pending = await pendingOf(deployment.taskId);
    const expected = { taskDescription: task.description, deploymentId: deployment.id, runbookRunId: null };
    assert.match(task.description, /Gated/);
    assert.deepEqual({ taskDescription: pending.taskDescription, deploymentId: pending.deploymentId, runbookRunId: pending.runbookRunId }, expected);
    const one = await call('GET', `${S}/interruptions/${pending.id}`);
    assert.deepEqual({ taskDescription: one.taskDescription, deploymentId: one.deploymentId, runbookRunId: one.runbookRunId }, expected);
    const submitted = await call('POST', `${S}/interruptions/${pending.id}/submit`, { result: 'Abort', notes: 'not today' }, 200);
    assert.deepEqual({ taskDescription: submitted.taskDescription, deploymentId: submitted.deploymentId, runbookRunId: submitted.runbookRunId }, expected);
  });

  it('a runbook run: its id and no deployment', async () => {
    const runbook = await call('POST', `${S}/projects/${projectId}/runbooks`, { name: 'Rotate' });
    await call('PUT', `${S}/projects/${projectId}/runbooks/${runbook.id}/process`, { steps: APPROVE });
    await call('POST', `${S}/projects/${projectId}/runbooks/${runbook.id}/publish`, {});
    const run = await call('POST', `${S}/runbook-runs`, { runbookId: runbook.id, environmentId });
    const pending = await pendingOf(run.taskId);
    assert.equal(pending.runbookRunId, run.id);
    assert.equal(pending.deploymentId, null);
    assert.match(pending.taskDescription, /Rotate/);
    await call('POST', `${S}/interruptions/${pending.id}/submit`, { result: 'Abort' }, 200);
  });
});
