/**
 * A Linux desktop or server without a Secret Service: the manager says so, stores no key until
 * the user picks a fallback, and then keeps keys for the session only (forgotten at restart) or
 * in a file encrypted with a passphrase (opened again only with that passphrase).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { invokeBridge, bridgeHandlers, BridgeCallError } from '../bridge/handlers.js';
import { ManagerCore } from '../manager.js';
import { makeTempDir, removeTempDirs } from '../../../server-core/src/testing/tempDir.js';
import { waitFor } from '../../../server-core/src/testing/wait.js';

const KEY = 'API-NOKEYCHAINTEST000000001';

describe('no OS keychain', { timeout: 60_000 }, () => {
  const open: ManagerCore[] = [];
  const start = async (dataDir: string) => {
    const core = await ManagerCore.open({ dataDir, keychainService: `Shoal Manager test ${process.pid}` });
    open.push(core);
    return core;
  };

  before(() => {
    // A session whose D-Bus has no Secret Service at all (as on a server, or a desktop without one).
    process.env.DBUS_SESSION_BUS_ADDRESS = 'unix:path=/nonexistent/shoal-test-bus';
  });
  after(async () => {
    for (const c of open) await c.close();
    removeTempDirs();
  });

  it('says the keychain is missing and why, and refuses to store a key until a fallback is chosen', async () => {
    const core = await start(makeTempDir());
    const status = core.secrets.status();
    assert.equal(status.store, null);
    assert.equal(status.keychain.available, false);
    assert.match(status.keychain.problem ?? '', /Secret Service|D-Bus|DBus/i);
    const handlers = bridgeHandlers(core, { kind: 'browser', apiBase: (id) => `/connections/${id}` });
    await assert.rejects(invokeBridge(handlers, 'connections:add', [{ name: 'prod', url: 'http://127.0.0.1:9', apiKey: KEY }]), (err: BridgeCallError) => {
      assert.equal(err.code, 'NoSecretStore');
      assert.match(err.message, /session only|encrypted/);
      return true;
    });
    assert.deepEqual(core.store.list(), [], 'nothing is saved when the key has nowhere to go');
  });

  it('session only: the key is used while the manager runs and forgotten when it stops', async () => {
    const dataDir = makeTempDir();
    const core = await start(dataDir);
    assert.equal((await core.useSessionOnlySecrets()).store, 'session');
    const c = await core.addConnection({ name: 'prod', url: 'http://127.0.0.1:9', apiKey: KEY });
    assert.equal(c.hasKey, true);
    assert.equal(await core.keyOf(c.id), KEY);
    assert.equal(fs.readFileSync(core.store.file, 'utf8').includes(KEY), false);
    await core.close();
    const restarted = await start(dataDir);
    assert.equal((await restarted.listConnections())[0]?.name, 'prod', 'the connection itself is kept');
    assert.equal((await restarted.listConnections())[0]?.hasKey, false, 'its key is not');
    const card = await waitFor(() => restarted.watcher.health(c.id)?.error, 'the card of a connection without its key');
    assert.equal(card.code, 'NoApiKey');
    assert.match(card.message, /No API key is stored for prod/);
    assert.deepEqual(restarted.notifications.list(), [], 'a missing key is not announced as an unreachable cluster');
  });

  it('encrypted file: keys survive a restart, only the right passphrase opens them, and the file holds no key in clear', async () => {
    const dataDir = makeTempDir();
    const core = await start(dataDir);
    const status = await core.useEncryptedFileSecrets('correct horse battery staple');
    assert.equal(status.store, 'encrypted-file');
    const c = await core.addConnection({ name: 'prod', url: 'http://127.0.0.1:9', apiKey: KEY });
    await core.close();
    const file = fs.readFileSync(status.encryptedFile.path, 'utf8');
    assert.equal(file.includes(KEY), false);
    assert.equal(file.includes(Buffer.from(KEY).toString('base64')), false);

    const restarted = await start(dataDir);
    assert.equal(restarted.secrets.status().encryptedFile.exists, true);
    const handlers = bridgeHandlers(restarted, { kind: 'browser', apiBase: (id) => `/connections/${id}` });
    await assert.rejects(invokeBridge(handlers, 'secrets:useEncryptedFile', ['wrong passphrase']), (err: BridgeCallError) => err.code === 'WrongPassphrase');
    assert.equal(restarted.secrets.status().store, null);
    const changed: boolean[][] = [];
    restarted.subscribe((e) => e.event === 'connections:changed' && changed.push(e.payload.map((v) => v.hasKey)));
    await invokeBridge(handlers, 'secrets:useEncryptedFile', ['correct horse battery staple']);
    assert.equal(await restarted.keyOf(c.id), KEY);
    assert.deepEqual(changed, [[true]], 'the screens are told the connection has its key again');
  });

  it('keys kept for the session move into the encrypted file when the user chooses it later', async () => {
    const core = await start(makeTempDir());
    await core.useSessionOnlySecrets();
    const c = await core.addConnection({ name: 'poc', url: 'http://127.0.0.1:9', apiKey: KEY });
    await core.useEncryptedFileSecrets('another passphrase');
    assert.equal(core.secrets.status().store, 'encrypted-file');
    assert.equal(await core.keyOf(c.id), KEY);
  });
});
