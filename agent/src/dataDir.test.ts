import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { AgentDataDir, NotRegisteredError } from './dataDir.js';

test('the agent makes its key and self-signed certificate once, keeps the key private, and refuses to run unregistered', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-agent-dir-'));
  try {
    const dir = new AgentDataDir(path.join(root, 'agent'));
    const first = await dir.identity();
    const again = await dir.identity();
    assert.equal(again.thumbprint, first.thumbprint);
    assert.match(first.thumbprint, /^[0-9A-F]{64}$/);
    const cert = new crypto.X509Certificate(fs.readFileSync(dir.certFile));
    assert.equal(cert.fingerprint256.replace(/:/g, ''), first.thumbprint);
    assert.ok(cert.checkPrivateKey(crypto.createPrivateKey(fs.readFileSync(dir.keyFile))), 'the key on disk is the certificate’s');
    if (process.platform !== 'win32') assert.equal(fs.statSync(dir.keyFile).mode & 0o077, 0, 'the key is readable by its owner only');
    assert.throws(() => dir.registration(), NotRegisteredError);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
