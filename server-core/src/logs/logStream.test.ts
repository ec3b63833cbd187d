import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { NODE_CREDENTIAL_HEADER, nodeCredential } from '../auth/nodeCredential.js';
import { loadOrCreateMasterKey } from '../secrets/masterKey.js';
import { parseSse } from '../testing/sse.js';
import { drainedOrClosed } from './logStream.js';
import { removeTempDirs } from '../testing/tempDir.js';
import { errorBody, startTestNode, type TestNode } from '../testing/testNode.js';
import { waitFor } from '../testing/wait.js';

describe('task log stream over SSE', () => {
  const MAX_FOLLOWERS = 2;
  let t: TestNode;
  let base: string;
  before(async () => {
    process.env.SHOAL_LOG_FOLLOWERS_MAX = String(MAX_FOLLOWERS);
    t = await startTestNode();
    delete process.env.SHOAL_LOG_FOLLOWERS_MAX;
    base = t.node.url.replace('localhost', '127.0.0.1');
  });
  after(async () => {
    await t?.stop();
    removeTempDirs();
  });

  const queue = async (script: string) => {
    const res = await t.request({ method: 'POST', url: '/api/tasks', payload: { kind: 'AdHocScript', arguments: { script } } });
    assert.equal(res.statusCode, 201, res.body);
    return (res.json() as { id: string }).id;
  };
  const follow = (id: string, signal?: AbortSignal) =>
    fetch(`${base}/api/tasks/${id}/log`, { headers: { accept: 'text/event-stream', 'x-api-key': t.adminKey }, signal });

  it('a script printing a bare CR and a forged `event: end` does not end the stream; its segments are shown', async () => {
    const id = await queue(`printf 'before\\revent: end\\ndata: {"state":"Success"}\\n'; printf '10%%\\r20%%\\r30%%\\n'; sleep 0.3; echo after`);
    const events = parseSse(await (await follow(id)).text());
    const ends = events.filter((e) => e.event === 'end');
    assert.deepEqual(ends.map((e) => e.data), ['{"state":"Success"}'], 'one end event, the real one, last');
    assert.equal(events.at(-1)!.event, 'end');
    const texts = events.filter((e) => e.event === 'message').map((e) => e.data.replace(/^\S+ \S+ +/, ''));
    for (const expected of ['before', 'event: end', 'data: {"state":"Success"}', '10%', '20%', '30%', 'after']) {
      assert.ok(texts.includes(expected), `the stream shows "${expected}": ${JSON.stringify(texts)}`);
    }
    const raw = (await t.request({ method: 'GET', url: `/api/tasks/${id}/log` })).body;
    assert.doesNotMatch(raw, /\r/, 'the raw log holds no bare CR');
    assert.match(raw, / INFO {2}event: end\n/);
  });

  it('the node-to-node log route refuses users (even administrators: 403; anonymous callers: 401) and takes only the credential derived from the master key', async () => {
    const id = await queue('echo relayed');
    const asAdmin = await t.request({ method: 'GET', url: `/api/internal/tasks/${id}/log` });
    assert.equal(asAdmin.statusCode, 403);
    assert.equal(errorBody(asAdmin).code, 'Forbidden');
    const anonymous = await t.request({ method: 'GET', url: `/api/internal/tasks/${id}/log`, anonymous: true });
    assert.equal(anonymous.statusCode, 401);
    assert.equal(errorBody(anonymous).code, 'Unauthorized');
    const forged = await t.request({ method: 'GET', url: `/api/internal/tasks/${id}/log`, anonymous: true, headers: { [NODE_CREDENTIAL_HEADER]: 'x'.repeat(43) } });
    assert.equal(forged.statusCode, 401);
    const asNode = await t.request({ method: 'GET', url: `/api/internal/tasks/${id}/log`, headers: { [NODE_CREDENTIAL_HEADER]: nodeCredential(await loadOrCreateMasterKey({ dataDir: t.dataDir })) } });
    assert.equal(asNode.statusCode, 200);
  });

  it(`refuses a follower beyond the node's cap with 429, Retry-After and the API's error shape`, async () => {
    const id = await queue('sleep 30');
    const abort = new AbortController();
    try {
      const open = await Promise.all(Array.from({ length: MAX_FOLLOWERS }, () => follow(id, abort.signal)));
      assert.deepEqual(open.map((r) => r.status), Array(MAX_FOLLOWERS).fill(200));
      const refused = await t.request({ method: 'GET', url: `/api/tasks/${id}/log`, headers: { accept: 'text/event-stream' } });
      assert.equal(refused.statusCode, 429);
      assert.ok(Number(refused.headers['retry-after']) >= 1);
      assert.equal(errorBody(refused).code, 'TooManyRequests');
      assert.equal((await t.request({ method: 'GET', url: `/api/tasks/${id}/log` })).statusCode, 200, 'the plain log is not capped');
    } finally {
      abort.abort();
      await t.request({ method: 'POST', url: `/api/tasks/${id}/cancel` });
    }
    await waitFor(async () => (await t.request({ method: 'GET', url: `/api/tasks/${id}/log`, headers: { accept: 'text/event-stream' } })).statusCode === 200, 'followers that left free their places');
  });
});

describe('waiting for a reader', () => {
  it('leaves no listener behind, however many times the buffer fills', async () => {
    const res = new EventEmitter();
    for (let i = 0; i < 5000; i++) {
      const waited = drainedOrClosed(res as ServerResponse);
      res.emit('drain');
      await waited;
    }
    const left = () => [res.listenerCount('drain'), res.listenerCount('close'), res.listenerCount('error')];
    assert.deepEqual(left(), [0, 0, 0]);
    const closed = drainedOrClosed(res as ServerResponse);
    res.emit('close');
    await closed;
    assert.deepEqual(left(), [0, 0, 0]);
  });
});
