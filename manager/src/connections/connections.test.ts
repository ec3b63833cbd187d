/** Saved connections: add, edit, remove, folders and colours, validation, export/import without secrets. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { bridgeHandlers, invokeBridge, type BridgeCallError } from '../bridge/handlers.js';
import { ManagerCore } from '../manager.js';
import { makeTempDir, removeTempDirs } from '../../../server-core/src/testing/tempDir.js';
import { waitFor } from '../../../server-core/src/testing/wait.js';
import { ConnectionStore } from './connectionStore.js';

const KEY = 'API-CONNECTIONSTEST0000001';
// Every URL is on this machine (port 9 is closed): the manager watches what is added.
const PIN = Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').toUpperCase()).join(':');

describe('connections', { timeout: 60_000 }, () => {
  const cores: ManagerCore[] = [];
  const start = async (dataDir = makeTempDir()) => {
    const core = await ManagerCore.open({ dataDir, secrets: 'session' });
    cores.push(core);
    return { core, handlers: bridgeHandlers(core, { kind: 'browser', apiBase: (id) => `/connections/${id}` }) };
  };
  after(async () => {
    for (const c of cores) await c.close();
    removeTempDirs();
  });

  it('adds, edits and removes connections, kept in the file across restarts', async () => {
    const dataDir = makeTempDir();
    const { core } = await start(dataDir);
    const prod = await core.addConnection({ name: ' Production ', url: 'https://127.0.0.1:9/', apiKey: KEY, folder: 'Customers', colour: '#C0392B' });
    assert.equal(prod.name, 'Production');
    assert.equal(prod.url, 'https://127.0.0.1:9');
    assert.equal(prod.folder, 'Customers');
    assert.equal(prod.colour, '#c0392b');
    assert.equal(prod.hasKey, true);
    const staging = await core.addConnection({ name: 'Staging', url: 'http://127.0.0.1:9/shoal', folder: 'Customers' });
    assert.equal(staging.hasKey, false);
    assert.equal(staging.url, 'http://127.0.0.1:9/shoal');

    // A new name or colour keeps the card as it is; a new address starts it afresh.
    await waitFor(() => core.watcher.health(prod.id)?.state !== 'checking', 'the first check of prod');
    await core.updateConnection(prod.id, { name: 'Production (EU)', colour: '#123' });
    assert.notEqual(core.watcher.health(prod.id)?.state, 'checking');
    assert.equal(core.watcher.health(prod.id)?.name, 'Production (EU)');
    await core.updateConnection(prod.id, { name: 'Production', url: 'https://localhost:9' });
    assert.equal(core.watcher.health(prod.id)?.state, 'checking');
    const edited = await core.updateConnection(staging.id, { name: 'Staging EU', folder: null, colour: '#0af', apiKey: KEY });
    assert.deepEqual([edited.name, edited.folder, edited.colour, edited.hasKey], ['Staging EU', null, '#0af', true]);

    const reread = new ConnectionStore(dataDir).list();
    assert.deepEqual(reread.map((c) => [c.name, c.url]), [['Production', 'https://localhost:9'], ['Staging EU', 'http://127.0.0.1:9/shoal']]);
    assert.equal(fs.readFileSync(core.store.file, 'utf8').includes(KEY), false, 'no key in the connection file');
    assert.equal((fs.statSync(core.store.file).mode & 0o077), 0, 'the file is readable by its owner only');

    await core.removeConnection(prod.id);
    assert.deepEqual(new ConnectionStore(dataDir).list().map((c) => c.name), ['Staging EU']);
    assert.equal(await core.keyOf(prod.id), undefined, 'its key went with it');
    assert.deepEqual(core.watcher.all().map((h) => h.name), ['Staging EU'], 'and its watch');
  });

  it('refuses bad input with the field named, and a second connection of the same name', async () => {
    const { handlers } = await start();
    const refused = async (input: unknown, pattern: RegExp) =>
      assert.rejects(invokeBridge(handlers, 'connections:add', [input]), (err: BridgeCallError) => {
        assert.match(err.message, pattern);
        return err.status === 400 || err.status === 409;
      });
    await refused({ name: '', url: 'http://127.0.0.1:9' }, /name/);
    await refused({ name: 'x', url: 'ftp://a' }, /url: must start with http/);
    await refused({ name: 'x', url: 'https://admin:pw@127.0.0.1:9' }, /url: must not contain a user name or password/);
    await refused({ name: 'x', url: 'not a url' }, /url: "not a url" is not a URL/);
    await refused({ name: 'x', url: 'http://127.0.0.1:9', colour: 'red' }, /colour/);
    await refused({ name: 'x', url: 'http://127.0.0.1:9', extra: 1 }, /extra|additional/i);
    await invokeBridge(handlers, 'connections:add', [{ name: 'Prod', url: 'http://127.0.0.1:9' }]);
    await refused({ name: 'prod', url: 'http://localhost:9' }, /already exists/);
  });

  it('drops a pinned certificate when the URL moves to another host, keeps it otherwise', async () => {
    const { core } = await start();
    const c = await core.addConnection({ name: 'tls', url: 'https://127.0.0.1:9', pinnedCertificate: PIN });
    assert.equal(c.pinnedCertificate, PIN);
    assert.equal((await core.updateConnection(c.id, { url: 'https://127.0.0.1:9/prefix' })).pinnedCertificate, PIN);
    assert.equal((await core.updateConnection(c.id, { url: 'https://localhost:9' })).pinnedCertificate, null);
  });

  it('exports without ids or keys, and imports into another manager (skipping names in use)', async () => {
    const { core, handlers } = await start();
    await core.addConnection({ name: 'Prod', url: 'https://127.0.0.1:9', apiKey: KEY, folder: 'Live', colour: '#123456', pinnedCertificate: PIN });
    await core.addConnection({ name: 'POC', url: 'http://localhost:9', apiKey: KEY });
    const exported = await invokeBridge(handlers, 'connections:export', []);
    const text = JSON.stringify(exported);
    assert.equal(text.includes(KEY), false);
    assert.equal(text.includes('"id"'), false);

    const other = await start();
    await other.core.addConnection({ name: 'poc', url: 'http://127.0.0.1:9/elsewhere' });
    const result = (await invokeBridge(other.handlers, 'connections:import', [exported])) as Awaited<ReturnType<ManagerCore['importConnections']>>;
    assert.deepEqual(result.added.map((c) => [c.name, c.url, c.folder, c.colour, c.pinnedCertificate]), [['Prod', 'https://127.0.0.1:9', 'Live', '#123456', PIN]]);
    assert.deepEqual(result.skipped.map((s) => s.name), ['POC']);
    assert.equal((await other.core.listConnections()).find((c) => c.name === 'Prod')?.hasKey, false, 'keys are entered again after an import');
    await assert.rejects(invokeBridge(other.handlers, 'connections:import', [{ connections: [] }]), /not a Shoal connections export/);
  });

  it('refuses unknown bridge channels and arguments that do not fit', async () => {
    const { handlers } = await start();
    await assert.rejects(invokeBridge(handlers, 'connections:steal', []), (err: BridgeCallError) => err.status === 404);
    await assert.rejects(invokeBridge(handlers, 'connections:remove', [42]), (err: BridgeCallError) => err.status === 400);
    await assert.rejects(invokeBridge(handlers, 'connections:remove', ['nope']), (err: BridgeCallError) => err.status === 404);
    const added = (await invokeBridge(handlers, 'connections:add', [{ name: 'a', url: 'http://127.0.0.1:9' }])) as { id: string };
    assert.equal(await invokeBridge(handlers, 'api:base', [added.id]), `/connections/${added.id}`);
  });
});
