/**
 * A deployment runs several scripts in one task (steps, a package's own scripts), each
 * with the task's one artifacts folder (real node, SQLite).
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { removeTempDirs } from '../testing/tempDir.js';
import { jsonApi, startTestNode, type TestNode } from '../testing/testNode.js';
import { waitFor } from '../testing/wait.js';

const S = '/api/Spaces-1';
let tn: TestNode;
let call: ReturnType<typeof jsonApi>;

before(async () => {
  tn = await startTestNode();
  call = jsonApi(tn);
});

after(async () => {
  await tn?.stop();
  removeTempDirs();
});

it('three script steps of one deployment all run, the later ones finding the artifacts folder the first made', async () => {
  const environmentId = (await call('POST', `${S}/environments`, { name: 'Dev' })).id;
  const projectId = (await call('POST', `${S}/projects`, { name: 'Steps' })).id;
  const steps = ['one', 'two', 'three'].map((n) => ({ name: n, action: 'RunScript', properties: { script: `echo step-${n} > "$SHOAL_ARTIFACTS_DIR/${n}.txt"` } }));
  await call('PUT', `${S}/projects/${projectId}/process`, { steps });
  const release = await call('POST', `${S}/releases`, { projectId });
  const d = await call('POST', `${S}/deployments`, { releaseId: release.id, environmentId });
  const done = await waitFor(async () => {
    const x = await call('GET', `${S}/deployments/${d.id}`);
    return ['Success', 'Failed', 'Canceled', 'TimedOut'].includes(x.state) && x;
  }, `${d.id} to end`, { timeoutMs: 30_000 });
  assert.equal(done.state, 'Success', done.errorMessage);
  const artifacts = await call<{ items: { name: string }[] }>('GET', `/api/tasks/${d.taskId}/artifacts`);
  assert.deepEqual(artifacts.items.map((a) => a.name).sort(), ['one.txt', 'three.txt', 'two.txt']);
});
