/**
 * Cancel and complete agree: a cancel that arrives after the task's work ended leaves the
 * real outcome, a task stopped by its cancel ends Canceled, and the log says which.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { requestCancel } from '../queue/cancel.js';
import { parseTaskId } from '../queue/taskRecord.js';
import { removeTempDirs } from '../testing/tempDir.js';
import { startTestNode, type TestNode } from '../testing/testNode.js';
import { waitFor } from '../testing/wait.js';
import type { TaskKind } from './taskKind.js';

let tn: TestNode;

/** Finishes its work, then is told of a cancel before it reports: it has finished all the same. */
const finishesBeforeTheCancel: TaskKind = {
  name: 'FinishesBeforeTheCancel',
  permission: 'admin',
  parseArguments: () => ({ description: 'work done, then a cancel arrives' }),
  async run(ctx) {
    ctx.log.info('work done');
    await requestCancel(ctx.shoal, parseTaskId(ctx.taskId)!, 'Canceled by a user who was too late.');
    tn.node.executor.wake(); // the node sees the cancel while this task is still reporting
    await waitFor(() => ctx.signal.aborted, 'the node to see the cancel');
  },
};

before(async () => {
  tn = await startTestNode({ nodeName: 'cancel-node', extra: { extraKinds: [finishesBeforeTheCancel] } });
});
after(async () => {
  await tn.stop();
  removeTempDirs();
});

async function finalTask(id: string) {
  return waitFor(async () => {
    const t = (await tn.request({ method: 'GET', url: `/api/tasks/${id}` })).json();
    return ['Success', 'Failed', 'Canceled'].includes(t.state) ? t : undefined;
  }, `${id} to end`);
}
const log = async (id: string) => (await tn.request({ method: 'GET', url: `/api/tasks/${id}/log` })).body.trim().split('\n');
/** The log once its final line is written (just after the outcome is recorded). */
const finishedLog = (id: string) =>
  waitFor(async () => {
    const lines = await log(id);
    return / END {3}\S+$/.test(lines.at(-1)!) ? lines : undefined;
  }, `${id}'s log to end`);

describe('cancel vs complete', () => {
  it('a cancel that arrives after the work ended leaves the real outcome, and the log says so', async () => {
    const t = (await tn.request({ method: 'POST', url: '/api/tasks', payload: { kind: 'FinishesBeforeTheCancel', arguments: {} } })).json();
    const done = await finalTask(t.id);
    assert.equal(done.state, 'Success');
    const lines = await finishedLog(t.id);
    assert.ok(lines.some((l) => /came after the task had finished; its own outcome stands/.test(l)), lines.join('\n'));
    assert.match(lines.at(-2)!, new RegExp(`Task ${t.id} ended: Success$`));
    assert.match(lines.at(-1)!, / END {3}Success$/);
  });

  it('a script stopped by its cancel ends Canceled, and the log\'s last lines agree with the API', async () => {
    const t = (await tn.request({ method: 'POST', url: '/api/tasks', payload: { kind: 'AdHocScript', arguments: { script: 'echo started; sleep 60', syntax: 'bash' } } })).json();
    await waitFor(async () => (await log(t.id)).some((l) => l.endsWith('started')), 'the script to start');
    assert.equal((await tn.request({ method: 'POST', url: `/api/tasks/${t.id}/cancel` })).statusCode, 200);
    const done = await finalTask(t.id);
    assert.equal(done.state, 'Canceled');
    const lines = await finishedLog(t.id);
    assert.match(lines.at(-2)!, new RegExp(`Task ${t.id} ended: Canceled$`));
    assert.match(lines.at(-1)!, / END {3}Canceled$/);
  });
});
