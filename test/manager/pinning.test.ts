/**
 * A cluster behind HTTPS with a self-signed certificate: the manager says what is wrong with it
 * and shows its thumbprint; once the user confirms, calls go through; a changed certificate is
 * then refused before anything (the API key) is sent.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManagerCore } from '../../manager/src/index.js';
import { ShoalClient } from '../helpers/apiClient.js';
import { selfSignedCertificate, type SelfSignedCertificate } from '../helpers/selfSignedCertificate.js';
import { startShoalProcess, type ShoalProcess } from '../helpers/shoalProcess.js';
import { teardown } from '../helpers/teardown.js';
import { tempDir } from '../helpers/tempDir.js';
import { startTlsFront, type TlsFront } from '../helpers/tlsFront.js';
import { waitForHealth } from '../helpers/managerHealth.js';

describe('manager: certificate pinning against a self-signed HTTPS front of a real node', { timeout: 120_000 }, () => {
  let node: ShoalProcess;
  let front: TlsFront;
  let first: SelfSignedCertificate;
  let apiKey: string;
  let core: ManagerCore;

  before(async () => {
    node = await startShoalProcess({ dataDir: tempDir('shoal-pin-node-'), nodeName: 'tls-node' });
    apiKey = await (await ShoalClient.login(node.url, 'admin', node.adminPassword)).createApiKey('manager-pinning');
    first = await selfSignedCertificate('shoal-first');
    front = await startTlsFront(node.url, first);
    core = await ManagerCore.open({ dataDir: tempDir('shoal-pin-manager-'), secrets: 'session', health: { intervalMs: 300, maxBackoffMs: 600 } });
  });
  after(async () => {
    await core?.close();
    await front?.stop();
    await teardown();
  });

  it('test connection names the problem and the thumbprint to confirm, and sends no request', async () => {
    const test = await core.testConnection({ url: front.url, apiKey });
    assert.equal(test.ok, false);
    assert.equal(test.canPin, true);
    assert.equal(test.code, 'Tls');
    assert.equal(test.certificate?.thumbprint, first.thumbprint);
    assert.equal(test.certificate?.selfSigned, true);
    assert.match(test.problem ?? '', /self-signed/);
    assert.ok(test.problem?.includes(first.thumbprint));
    assert.equal(front.requests(), 0);
  });

  it('an unpinned self-signed cluster is unreachable with the TLS problem in words', async () => {
    const c = await core.addConnection({ name: 'tls', url: front.url, apiKey });
    const health = await waitForHealth(core, c.id, (h) => h.state === 'unreachable', 'the check never failed');
    assert.equal(health.error?.code, 'Tls');
    assert.match(health.error?.message ?? '', /self-signed.*confirmed and pinned/);
    assert.equal(front.requests(), 0, 'the key was never sent');
    await core.removeConnection(c.id);
  });

  it('after the user confirms the thumbprint, the test shows version, nodes and the key\'s user, and the cluster is watched', async () => {
    const c = await core.addConnection({ name: 'tls-pinned', url: front.url, apiKey });
    const pinned = await core.pinCertificate(c.id, first.thumbprint.replace(/:/g, '').toLowerCase());
    assert.equal(pinned.pinnedCertificate, first.thumbprint);
    const test = await core.testConnection({ connectionId: c.id });
    assert.equal(test.ok, true, test.problem ?? '');
    assert.equal(test.nodeCount, 1);
    assert.match(test.version ?? '', /^\d+\.\d+\.\d+/);
    assert.equal(test.user?.username, 'admin');
    assert.equal(test.user?.isAdmin, true);
    assert.ok(test.user?.roles.includes('Admin'), JSON.stringify(test.user));
    const health = await waitForHealth(core, c.id, (h) => h.state === 'reachable', 'never reachable');
    assert.deepEqual(health.nodes.map((n) => n.name), ['tls-node']);
  });

  it('a changed certificate is refused with both thumbprints named, and nothing reaches the server', async () => {
    const c = (await core.listConnections()).find((x) => x.name === 'tls-pinned')!;
    const second = await selfSignedCertificate('shoal-second');
    await front.restart(second);
    const health = await waitForHealth(core, c.id, (h) => h.state === 'unreachable', 'the change was not noticed');
    assert.equal(health.error?.code, 'CertificateChanged');
    assert.ok(health.error?.message.includes(first.thumbprint) && health.error.message.includes(second.thumbprint), health.error?.message);
    await assert.rejects(core.clientOf(c.id)!.json('GET', '/api/nodes'), (err: Error & { code?: string }) => err.code === 'CertificateChanged');
    const test = await core.testConnection({ connectionId: c.id });
    assert.equal(test.ok, false);
    assert.equal(test.code, 'CertificateChanged');
    assert.equal(front.requests(), 0, 'no request (and so no API key) reached the server with the new certificate');
  });
});
