/**
 * API keys in a real Secret Service: GNOME Keyring unlocked in a private D-Bus session
 * (dbus-run-session), reached through @napi-rs/keyring exactly as the manager does.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ManagerCore } from '../manager.js';
import { makeTempDir, removeTempDirs } from '../../../server-core/src/testing/tempDir.js';
import { OsKeychain } from '@shoal/server-core/keychain';
import { secretServiceMissing, startSecretService, type SecretServiceSession } from '../../../server-core/src/testing/secretService.js';

const SERVICE = `Shoal Manager test ${process.pid}`;
const missing = secretServiceMissing();

describe('OS keychain (GNOME Keyring over D-Bus)', { skip: missing, timeout: 60_000 }, () => {
  let session: SecretServiceSession;
  let core: ManagerCore;
  let dataDir: string;

  before(async () => {
    session = await startSecretService();
    process.env.DBUS_SESSION_BUS_ADDRESS = session.busAddress;
    dataDir = makeTempDir();
    core = await ManagerCore.open({ dataDir, keychainService: SERVICE });
  });
  after(async () => {
    await core?.close();
    await session?.stop();
    removeTempDirs();
  });

  it('is found working at start and chosen as the store', () => {
    assert.deepEqual(core.secrets.status().keychain, { available: true, problem: null });
    assert.equal(core.secrets.status().store, 'keychain');
  });

  it('keeps a connection\'s key in the keychain, readable back by service and connection id, and never in the connection file', async () => {
    const key = 'API-KEYCHAINROUNDTRIP0001';
    const c = await core.addConnection({ name: 'prod', url: 'http://127.0.0.1:9', apiKey: key });
    assert.equal(c.hasKey, true);
    assert.equal(await new OsKeychain(SERVICE).get(c.id), key);
    assert.equal(fs.readFileSync(core.store.file, 'utf8').includes(key), false);
    // A manager started again finds it.
    const again = await ManagerCore.open({ dataDir, keychainService: SERVICE });
    try {
      assert.equal(await again.keyOf(c.id), key);
    } finally {
      await again.close();
    }
  });

  it('replaces the key on edit and deletes it with the connection', async () => {
    const c = await core.addConnection({ name: 'staging', url: 'http://127.0.0.1:9', apiKey: 'API-FIRSTKEY0000000000001' });
    await core.updateConnection(c.id, { apiKey: 'API-SECONDKEY000000000002' });
    const keychain = new OsKeychain(SERVICE);
    assert.equal(await keychain.get(c.id), 'API-SECONDKEY000000000002');
    await core.removeConnection(c.id);
    assert.equal(await keychain.get(c.id), undefined);
  });
});
