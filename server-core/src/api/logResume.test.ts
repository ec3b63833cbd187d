import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseSse } from '../testing/sse.js';
import { removeTempDirs } from '../testing/tempDir.js';
import { startTestNode, type TestNode } from '../testing/testNode.js';
import { waitFor } from '../testing/wait.js';

/** Reads a whole SSE response (the task has ended, so the stream ends by itself). */
async function readEvents(url: string, key: string, lastEventId?: string) {
  const headers: Record<string, string> = { accept: 'text/event-stream', 'x-api-key': key };
  if (lastEventId) headers['last-event-id'] = lastEventId;
  return parseSse(await (await fetch(url, { headers })).text());
}

describe('task log stream: event ids and Last-Event-ID', () => {
  let t: TestNode;
  before(async () => {
    t = await startTestNode();
  });
  after(async () => {
    await t?.stop();
    removeTempDirs();
  });

  it('numbers every line with its end offset and resumes after the id a client already had', async () => {
    const res = await t.request({ method: 'POST', url: '/api/tasks', payload: { kind: 'AdHocScript', arguments: { script: 'echo one; echo two; echo three' } } });
    const id = (res.json() as { id: string }).id;
    await waitFor(async () => (await t.request({ method: 'GET', url: `/api/tasks/${id}` })).json().state === 'Success', 'the task to end');
    const url = `${t.node.url.replace('localhost', '127.0.0.1')}/api/tasks/${id}/log`;
    const all = await readEvents(url, t.adminKey);
    const lines = all.filter((e) => e.event === 'message');
    assert.ok(lines.every((e) => /^\d+$/.test(e.id ?? '')), 'every line has a numeric id');
    const full = (await t.request({ method: 'GET', url: `/api/tasks/${id}/log` })).body;
    const endLine = full.split('\n').at(-2)!;
    assert.match(endLine, /^\S+ END {3}Success$/, 'the log ends with its final line');
    assert.equal(Number(lines.at(-1)!.id) + Buffer.byteLength(endLine) + 1, Buffer.byteLength(full), 'the last id is the end of the last line before the final one');
    assert.deepEqual(all.filter((e) => e.event === 'end').map((e) => e.data), ['{"state":"Success"}']);
    const afterOne = lines.findIndex((e) => / one$/.test(e.data));
    const resumed = (await readEvents(url, t.adminKey, lines[afterOne]!.id)).filter((e) => e.event === 'message');
    assert.deepEqual(resumed.map((e) => e.data), lines.slice(afterOne + 1).map((e) => e.data));
    assert.equal((await readEvents(url, t.adminKey, lines.at(-1)!.id)).filter((e) => e.event === 'message').length, 0);
  });
});
