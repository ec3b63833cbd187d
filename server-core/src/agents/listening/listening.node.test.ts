import assert from 'node:assert/strict';
import net from 'node:net';
import { after, test } from 'node:test';
import { removeTempDirs } from '../../testing/tempDir.js';
import { errorBody, startTestNode } from '../../testing/testNode.js';
import { createSelfSignedCertificate } from '../certificates.js';
import { FrameSocket, MAX_FRAME_BYTES } from './frames.js';

after(removeTempDirs);

test('listening targets: an address is needed (https://host:port) and only for them; registered, the first health check is queued', async () => {
  const t = await startTestNode({ nodeName: 'listening-node', taskCap: 0 });
  try {
    assert.equal((await t.request({ method: 'POST', url: '/api/Spaces-1/environments', payload: { name: 'Dev' } })).statusCode, 201);
    const { thumbprint } = await createSelfSignedCertificate('listening agent');
    const register = (body: Record<string, unknown>) => t.request({ method: 'POST', url: '/api/Spaces-1/targets', payload: { name: 'web-l', environmentIds: ['Dev'], roles: ['web'], thumbprint, ...body } });
    const noAddress = await register({ mode: 'Listening' });
    assert.equal(noAddress.statusCode, 400);
    assert.match(errorBody(noAddress).message, /^address: a listening agent needs the address/);
    const pollingWithAddress = await register({ address: 'https://web-l:10933' });
    assert.equal(pollingWithAddress.statusCode, 400);
    assert.match(errorBody(pollingWithAddress).message, /^address: only a listening agent has an address/);
    for (const address of ['http://web-l:10933', 'https://web-l', 'https://web-l:10933/path']) {
      const bad = await register({ mode: 'Listening', address });
      assert.equal(bad.statusCode, 400, address);
      assert.match(errorBody(bad).message, /address/);
    }
    assert.equal((await t.request({ method: 'GET', url: '/api/Spaces-1/targets' })).json().length, 0, 'nothing half-written');

    const ok = await register({ mode: 'Listening', address: 'https://web-l.example:10933/' });
    assert.equal(ok.statusCode, 201, ok.body);
    const target = ok.json().target;
    assert.equal(target.mode, 'Listening');
    assert.equal(target.address, 'https://web-l.example:10933');
    assert.equal(target.status, 'Unknown');
    const queued = await t.node.shoal.db.selectFrom('tasks').select(['kind', 'arguments']).where('kind', '=', 'HealthCheck').execute();
    assert.equal(queued.length, 1);
    assert.deepEqual(JSON.parse(queued[0]!.arguments as string).targetIds, [target.id]);
  } finally {
    await t.stop();
  }
});

test('frames: one JSON value per line, split anywhere; a frame too long ends the connection', async () => {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
  const client = net.connect(port, '127.0.0.1').on('error', () => {});
  const peer = await accepted;
  try {
    const got: unknown[] = [];
    const bad: string[] = [];
    new FrameSocket(peer, (f) => got.push(f), (why) => bad.push(why));
    const text = `${JSON.stringify({ a: 1 })}\n\n${JSON.stringify({ b: 'é'.repeat(3) })}\n${JSON.stringify({ c: [1, 2] })}\n`;
    const bytes = Buffer.from(text);
    for (let i = 0; i < bytes.length; i += 5) client.write(bytes.subarray(i, i + 5));
    await new Promise<void>((r) => {
      const check = () => (got.length === 3 ? r() : setTimeout(check, 10));
      check();
    });
    assert.deepEqual(got, [{ a: 1 }, { b: 'ééé' }, { c: [1, 2] }]);
    const closed = new Promise((r) => peer.once('close', r));
    client.write(Buffer.alloc(MAX_FRAME_BYTES + 1024, 0x61));
    await closed;
    assert.deepEqual(bad, [`a frame longer than ${MAX_FRAME_BYTES} bytes`]);
  } finally {
    client.destroy();
    server.close();
  }
});
