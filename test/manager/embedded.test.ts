/**
 * shoal-manager --embedded: the embedded node runs inside the manager's process and is added as a
 * connection of its own (not exported, not editable), reachable through the proxy like any other.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManagerSession, startShoalManager, type ShoalManagerProcess } from '../helpers/shoalManagerProcess.js';
import { teardown } from '../helpers/teardown.js';
import { tempDir } from '../helpers/tempDir.js';
import { waitFor } from '../../server-core/src/testing/wait.js';

describe('shoal-manager --embedded', { timeout: 120_000 }, () => {
  let manager: ShoalManagerProcess;
  let page: ManagerSession;

  before(async () => {
    const work = tempDir('shoal-manager-embedded-');
    manager = await startShoalManager(['--secrets', 'session', '--embedded', '--data-dir', path.join(work, 'manager'), '--node-data-dir', path.join(work, 'node'), '--interval-ms', '500'], {
      SHOAL_ADMIN_PASSWORD: 'embedded-admin-password',
    });
    page = await ManagerSession.open(manager);
  });
  after(() => teardown());

  it('adds the embedded node as a connection with a key, watched and reachable through the proxy', async () => {
    const info = await page.invoke<{ embeddedConnectionId: string | null; host: string }>('app:info');
    assert.deepEqual(info, { ...info, embeddedConnectionId: 'embedded', host: 'browser' });
    const [embedded] = await page.invoke<{ id: string; embedded: boolean; hasKey: boolean; url: string }[]>('connections:list');
    assert.equal(embedded?.embedded, true);
    assert.equal(embedded?.hasKey, true);
    assert.match(embedded?.url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    await waitFor(async () => (await page.invoke<{ connectionId: string; state: string }[]>('fleet:list')).some((h) => h.connectionId === 'embedded' && h.state === 'reachable'), {
      message: 'the embedded node was never reachable',
    });
    const me = await page.request('GET', '/connections/embedded/api/users/me');
    assert.equal(me.status, 200, me.text);
    assert.equal(JSON.parse(me.text).username, 'admin');
    const exported = await page.invoke<{ connections: unknown[] }>('connections:export');
    assert.deepEqual(exported.connections, [], 'the embedded node is not exported');
    const refused = await page.request('POST', '/bridge/invoke/connections:remove', { body: '["embedded"]', headers: { 'content-type': 'application/json' } });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /managed by the app itself/);
  });
});
