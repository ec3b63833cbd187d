import assert from 'node:assert/strict';
import https from 'node:https';
import { after, test } from 'node:test';
import { removeTempDirs } from '../testing/tempDir.js';
import { waitFor } from '../testing/wait.js';
import { errorBody, startTestNode } from '../testing/testNode.js';
import { createSelfSignedCertificate, type KeyAndCertificate } from './certificates.js';
import { loadOrCreateMasterKey } from '../secrets/masterKey.js';
import { enqueueAgentWork } from './work/enqueue.js';
import { followAgentWork } from './work/follow.js';

after(removeTempDirs);

/** A POST to the comms port as an agent with `identity`, trusting the cluster certificate. */
function commsPost(port: number, ca: string, identity: KeyAndCertificate | undefined, path: string, body: unknown): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path, method: 'POST', ca, key: identity?.key, cert: identity?.cert, checkServerIdentity: () => undefined, agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

test('targets: registration by API key and by one-time token, the token rules, the cluster certificate, and the comms port refusing unknown certificates', async () => {
  const t = await startTestNode({ nodeName: 'agents-node' });
  try {
    for (const name of ['Dev', 'Prod']) assert.equal((await t.request({ method: 'POST', url: '/api/Spaces-1/environments', payload: { name } })).statusCode, 201);
    const tokenRes = await t.request({ method: 'POST', url: '/api/Spaces-1/targets/registration-tokens', payload: { environmentIds: ['Dev'], roles: ['web'] } });
    assert.equal(tokenRes.statusCode, 201, tokenRes.body);
    const { token } = tokenRes.json() as { token: string };
    const agentA = await createSelfSignedCertificate('agent a');
    const register = (body: Record<string, unknown>, viaToken = true) =>
      t.request({ method: 'POST', url: viaToken ? '/api/Spaces-1/targets/register' : '/api/Spaces-1/targets', anonymous: viaToken, payload: { name: 'web-a', environmentIds: ['Dev'], roles: ['web'], thumbprint: agentA.thumbprint, ...body } });

    const beyond = await register({ token, roles: ['db'] });
    assert.equal(beyond.statusCode, 403);
    assert.match(errorBody(beyond).message, /does not allow the role db/);
    const wrong = await register({ token: 'shoal-reg-not-a-token' });
    assert.equal(wrong.statusCode, 401);
    assert.match(errorBody(wrong).message, /not valid/);
    // Without a valid token the route tells nothing: not which environments, names or spaces exist, nor what the body lacks.
    for (const [url, payload] of [
      ['/api/Spaces-1/targets/register', { token: 'shoal-reg-not-a-token', name: 'web-a', environmentIds: ['NoSuchEnvironment'], roles: ['web'], thumbprint: agentA.thumbprint }],
      ['/api/Spaces-1/targets/register', { name: 'web-a', environmentIds: ['Dev'], roles: ['web'], thumbprint: agentA.thumbprint }],
      ['/api/Spaces-1/targets/register', { token: 'x' }],
      ['/api/Spaces-99/targets/register', { token: 'shoal-reg-not-a-token', name: 'web-a', environmentIds: ['Dev'], roles: ['web'], thumbprint: agentA.thumbprint }],
    ] as const) {
      const res = await t.request({ method: 'POST', url, anonymous: true, payload });
      assert.equal(res.statusCode, 401, `${url} ${JSON.stringify(payload)}: ${res.body}`);
      assert.match(errorBody(res).message, /not valid/);
    }

    const ok = await register({ token });
    assert.equal(ok.statusCode, 201, ok.body);
    const reg = ok.json() as { target: { id: string; status: string; environmentIds: string[]; roles: string[] }; clusterThumbprint: string; clusterCertificate: string; commsUrl: string };
    assert.equal(reg.target.status, 'Unknown');
    assert.deepEqual(reg.target.roles, ['web']);
    assert.equal(reg.commsUrl, `https://localhost:${t.node.commsPort}`);
    const reused = await register({ token, name: 'web-b', thumbprint: (await createSelfSignedCertificate('b')).thumbprint });
    assert.equal(reused.statusCode, 401);
    assert.match(errorBody(reused).message, /already been used/);

    const expiring = (await t.request({ method: 'POST', url: '/api/Spaces-1/targets/registration-tokens', payload: { environmentIds: ['Dev'], roles: ['web'], expiresInMinutes: 1 } })).json() as { token: string };
    await t.node.shoal.db.updateTable('target_registration_tokens').set({ expires_at: 1 }).where('used_at', 'is', null).execute();
    const expired = await register({ token: expiring.token, name: 'web-c', thumbprint: (await createSelfSignedCertificate('c')).thumbprint });
    assert.equal(expired.statusCode, 401);
    assert.match(errorBody(expired).message, /expired/);
    assert.equal((await t.request({ method: 'GET', url: '/api/Spaces-1/targets' })).json().length, 1, 'refused registrations leave nothing behind');

    const agentB = await createSelfSignedCertificate('agent b');
    const byKey = await register({ name: 'db-b', roles: ['db'], environmentIds: ['Prod'], thumbprint: agentB.thumbprint }, false);
    assert.equal(byKey.statusCode, 201, byKey.body);
    assert.equal((byKey.json() as { clusterThumbprint: string }).clusterThumbprint, reg.clusterThumbprint, 'one cluster certificate');
    const twice = await register({ name: 'db-again', thumbprint: agentB.thumbprint }, false);
    assert.equal(twice.statusCode, 409);
    const bId = (byKey.json() as { target: { id: string } }).target.id;
    const put = await t.request({ method: 'PUT', url: `/api/Spaces-1/targets/${bId}`, payload: { name: 'db-b', environmentIds: ['Prod', 'Dev'], roles: ['db', 'web'], isDisabled: true } });
    assert.equal(put.statusCode, 200, put.body);
    assert.equal(put.json().isDisabled, true);
    assert.deepEqual(put.json().roles, ['db', 'web']);

    // The comms port: a registered certificate is served; another, or none, is refused.
    const port = t.node.commsPort;
    const poll = await commsPost(port, reg.clusterCertificate, agentA, '/agent/poll', { capacity: 1, agentVersion: '9.9.9', os: 'test', waitMs: 0 });
    assert.equal(poll.status, 200);
    assert.deepEqual(poll.body, { work: [] });
    const seen = (await t.request({ method: 'GET', url: `/api/Spaces-1/targets/${reg.target.id}` })).json();
    assert.equal(seen.agentVersion, '9.9.9');
    assert.ok(seen.lastContact);
    const stranger = await commsPost(port, reg.clusterCertificate, await createSelfSignedCertificate('stranger'), '/agent/poll', { capacity: 1, agentVersion: '1', os: 'x', waitMs: 0 });
    assert.equal(stranger.status, 403);
    assert.match(stranger.body.error.message, /not registered to any deployment target/);
    assert.equal((await commsPost(port, reg.clusterCertificate, undefined, '/agent/poll', { capacity: 1, agentVersion: '1', os: 'x', waitMs: 0 })).status, 403);

    // A held poll wakes for work queued on this node; posts about it are idempotent.
    const targetA = Number(reg.target.id.split('-')[1]);
    // The first contact above queued a health check; once its work is in the table, clear it, so the held poll waits.
    await waitFor(() => t.node.shoal.db.selectFrom('agent_work').select('id').where('kind', '=', 'HealthCheck').executeTakeFirst(), 'the first-contact health check\'s work', { timeoutMs: 15_000 });
    await t.node.shoal.db.deleteFrom('agent_work').execute();
    const held = commsPost(port, reg.clusterCertificate, agentA, '/agent/poll', { capacity: 2, agentVersion: '9.9.9', os: 'test', waitMs: 20_000 });
    await new Promise((r) => setTimeout(r, 300));
    const workId = await enqueueAgentWork(t.node.shoal, await loadOrCreateMasterKey(t.node.config), { targetId: targetA, taskId: null, activityId: null, kind: 'Script', payload: { body: 'echo hi', syntax: 'bash', env: {} } });
    const stored = await t.node.shoal.db.selectFrom('agent_work').select('payload').where('id', '=', workId).executeTakeFirstOrThrow();
    assert.ok(!stored.payload.includes('echo hi'), 'the script is sealed in the database');
    const got = await held;
    assert.equal(got.status, 200);
    assert.equal(got.body.work.length, 1);
    const item = got.body.work[0];
    assert.equal(item.id, String(workId));
    assert.equal(item.script.body, 'echo hi');
    const beat = await commsPost(port, reg.clusterCertificate, agentA, `/agent/work/${workId}/heartbeat`, { token: item.token });
    assert.deepEqual(beat.body, { cancel: false });
    assert.equal((await commsPost(port, reg.clusterCertificate, agentA, `/agent/work/${workId}/heartbeat`, { token: 'other' })).status, 409);
    for (let i = 0; i < 2; i++) assert.equal((await commsPost(port, reg.clusterCertificate, agentA, `/agent/work/${workId}/log`, { token: item.token, seq: 0, lines: [{ stream: 'out', text: 'hi' }] })).status, 204);
    assert.equal((await commsPost(port, reg.clusterCertificate, agentA, `/agent/work/${workId}/result`, { token: item.token, logChunks: 2, exitCode: 0 })).status, 503, 'a result before its chunks waits');
    for (let i = 0; i < 2; i++) assert.equal((await commsPost(port, reg.clusterCertificate, agentA, `/agent/work/${workId}/result`, { token: item.token, logChunks: 1, exitCode: 0 })).status, 204);
    const logs = await t.node.shoal.db.selectFrom('agent_work_logs').selectAll().where('work_id', '=', workId).execute();
    assert.equal(logs.length, 1, 'a chunk posted twice is stored once');
    const row = await t.node.shoal.db.selectFrom('agent_work').selectAll().where('id', '=', workId).executeTakeFirstOrThrow();
    assert.equal(row.state, 'Success');
    assert.equal(row.claimed_by, 'agents-node');
    // Another agent cannot post about this target's work.
    assert.equal((await commsPost(port, reg.clusterCertificate, agentB, `/agent/work/${workId}/heartbeat`, { token: item.token })).status, 404);
    // Followed to its end, the work's lines are handed over and then neither they nor its script are kept.
    const copied: string[] = [];
    const outcome = await followAgentWork(t.node.shoal, { workId, targetName: 'web-a', signal: new AbortController().signal, onLines: (lines) => copied.push(...lines.map((l) => l.text)) });
    assert.equal(outcome.state, 'Success');
    assert.deepEqual(copied, ['hi']);
    assert.equal((await t.node.shoal.db.selectFrom('agent_work_logs').selectAll().where('work_id', '=', workId).execute()).length, 0, 'the unmasked chunks are gone');
    assert.equal((await t.node.shoal.db.selectFrom('agent_work').select('payload').where('id', '=', workId).executeTakeFirstOrThrow()).payload, '');

    assert.equal((await t.request({ method: 'DELETE', url: `/api/Spaces-1/targets/${reg.target.id}` })).statusCode, 204);
    assert.equal((await commsPost(port, reg.clusterCertificate, agentA, '/agent/poll', { capacity: 1, agentVersion: '1', os: 'x', waitMs: 0 })).status, 403, 'a deleted target is refused at once');
  } finally {
    await t.stop();
  }
  // The same database keeps the same cluster certificate.
  const again = await startTestNode({ dataDir: t.dataDir, nodeName: 'agents-node' });
  try {
    const row = await again.node.shoal.db.selectFrom('comms_certificates').select('thumbprint').executeTakeFirstOrThrow();
    const listed = await again.request({ method: 'POST', url: '/api/Spaces-1/targets', payload: { name: 'x', environmentIds: ['Dev'], roles: ['web'], thumbprint: (await createSelfSignedCertificate('x')).thumbprint } });
    assert.equal(listed.json().clusterThumbprint, row.thumbprint);
  } finally {
    await again.stop();
  }
});
