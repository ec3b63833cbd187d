/**
 * The desktop's master key in the OS keychain (a real GNOME Keyring in a private D-Bus session):
 * moved from the data dir's file on start, the file removed only after the keychain gave it
 * back; the config then names the entry, and the node, `shoal show-master-key` and `shoal
 * migrate` read it from there. A key given in SHOAL_MASTER_KEY is left alone.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CONFIG_FILE_NAME, readConfigFile } from '../config/nodeConfig.js';
import { prepareCli, type Cli } from '../testing/runCli.js';
import { secretServiceMissing, startSecretService, type SecretServiceSession } from '../testing/secretService.js';
import { makeTempDir, removeTempDirs } from '../testing/tempDir.js';
import { startTestNode } from '../testing/testNode.js';
import { MASTER_KEY_FILE } from './masterKey.js';
import { accountFor, keepMasterKeyInKeychain } from './masterKeyToKeychain.js';
import { OsKeychain } from './osKeychain.js';

const SERVICE = `Shoal test ${process.pid}`;
const missing = secretServiceMissing();

describe('master key in the OS keychain', { skip: missing, timeout: 120_000 }, () => {
  let session: SecretServiceSession;
  let cli: Cli;
  let keychain: OsKeychain;

  before(async () => {
    session = await startSecretService();
    process.env.DBUS_SESSION_BUS_ADDRESS = session.busAddress;
    keychain = new OsKeychain(SERVICE);
    cli = await prepareCli(makeTempDir('shoal-keychain-home-'));
  });
  after(async () => {
    cli?.dispose();
    await session?.stop();
    removeTempDirs();
  });

  it('moves the key of a started node from its file; the node, show-master-key and migrate read it from the keychain', async () => {
    const dataDir = makeTempDir('shoal-keychain-node-');
    await (await startTestNode({ dataDir })).stop();
    const keyFile = path.join(dataDir, MASTER_KEY_FILE);
    const key = fs.readFileSync(keyFile, 'utf8').trim();

    const move = await keepMasterKeyInKeychain(dataDir, keychain, {});
    assert.deepEqual(move, { outcome: 'moved', entry: { service: SERVICE, account: accountFor(dataDir) } });
    assert.equal(fs.existsSync(keyFile), false, 'the file is gone');
    assert.equal(await keychain.get(accountFor(dataDir)), key);
    assert.deepEqual(readConfigFile(path.join(dataDir, CONFIG_FILE_NAME)).masterKeyKeychain, { service: SERVICE, account: accountFor(dataDir) });
    assert.deepEqual(await keepMasterKeyInKeychain(dataDir, keychain, {}), { outcome: 'in-keychain', entry: { service: SERVICE, account: accountFor(dataDir) } });

    // The node verifies the key it reads against the database's check value: a wrong or missing key would not start.
    await (await startTestNode({ dataDir })).stop();
    assert.equal(fs.existsSync(keyFile), false, 'the node made no new key file');

    const shown = await cli.run(['show-master-key', '--data-dir', dataDir]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal(shown.stdout.trim(), key);

    // migrate checks the key before the target: with the key readable it gets as far as the (absent) database.
    const migrate = ['migrate', '--to', 'postgres://nobody:nothing@127.0.0.1:9/shoal', '--cluster-shared', makeTempDir('shoal-keychain-shared-'), '--data-dir', dataDir, '--dry-run'];
    const reached = await cli.run(migrate);
    assert.equal(reached.code, 1);
    assert.match(reached.stderr, /cannot reach the target database/);

    await keychain.delete(accountFor(dataDir));
    const refused = await cli.run(migrate);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /master key should be in the OS keychain .* but that entry does not exist/);
    const notShown = await cli.run(['show-master-key', '--data-dir', dataDir]);
    assert.equal(notShown.code, 1);
    assert.match(notShown.stderr, /that entry does not exist/);
    await assert.rejects(startTestNode({ dataDir }), /that entry does not exist/);
  });

  it('makes the key of a first start straight into the keychain, and leaves a key given in SHOAL_MASTER_KEY alone', async () => {
    const fresh = makeTempDir('shoal-keychain-fresh-');
    const move = await keepMasterKeyInKeychain(fresh, keychain, {});
    assert.equal(move.outcome, 'moved');
    assert.equal(fs.existsSync(path.join(fresh, MASTER_KEY_FILE)), false);
    assert.ok(await keychain.get(accountFor(fresh)));
    await (await startTestNode({ dataDir: fresh })).stop();

    const given = makeTempDir('shoal-keychain-given-');
    assert.deepEqual(await keepMasterKeyInKeychain(given, keychain, { SHOAL_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') }), { outcome: 'given' });
    assert.equal(fs.existsSync(path.join(given, CONFIG_FILE_NAME)), false, 'no config written');
  });

  it('keeps the file, and the config as it was, when the keychain does not give the key back', async () => {
    const dataDir = makeTempDir('shoal-keychain-forgetful-');
    await (await startTestNode({ dataDir })).stop();
    const keyFile = path.join(dataDir, MASTER_KEY_FILE);
    const key = fs.readFileSync(keyFile, 'utf8');
    // A keychain that accepts the write and then answers with something else.
    const forgetful = { service: SERVICE, set: async () => {}, get: async () => 'not the key' };
    const move = await keepMasterKeyInKeychain(dataDir, forgetful, {});
    assert.equal(move.outcome, 'kept-in-file');
    assert.equal(fs.readFileSync(keyFile, 'utf8'), key);
    assert.equal(fs.existsSync(path.join(dataDir, CONFIG_FILE_NAME)), false);
  });
});
