/** The TLS-terminating example HAProxy config: HTTPS at the balancer, Secure cookies and HSTS from the node, HTTP redirected. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort } from '../helpers/freePort.js';
import { HAPROXY_TLS_EXAMPLE, httpsGet, startHaproxy } from '../helpers/haproxy.js';
import { startShoalProcess } from '../helpers/shoalProcess.js';
import { tempDir } from '../helpers/tempDir.js';
import { teardown } from '../helpers/teardown.js';

after(() => teardown());

describe('TLS at the load balancer', () => {
  it('logs in over HTTPS through HAProxy: Secure SameSite=Strict cookie, HSTS; plain HTTP is redirected', async () => {
    const dir = tempDir('shoal-tls-lb-');
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
    const pem = path.join(dir, 'shoal.pem');
    fs.writeFileSync(pem, fs.readFileSync(cert, 'utf8') + fs.readFileSync(key, 'utf8'));
    const node = await startShoalProcess({ dataDir: path.join(dir, 'node'), nodeName: 'tls-lb-node', env: { SHOAL_TRUSTED_PROXIES: '127.0.0.1' } });
    const [http, https] = [await freePort(), await freePort()];
    await startHaproxy(dir, https, [{ name: 'tls-lb-node', port: node.port }], { example: HAPROXY_TLS_EXAMPLE, ports: { http, https }, pem });

    const login = await httpsGet(`https://127.0.0.1:${https}/api/users/login`, fs.readFileSync(cert), { 'content-type': 'application/json' }, 'POST', JSON.stringify({ username: 'admin', password: node.adminPassword }));
    assert.equal(login.status, 200, login.body);
    const cookie = String(login.headers['set-cookie']);
    assert.match(cookie, /; Secure/i);
    assert.match(cookie, /SameSite=Strict/i);
    assert.match(String(login.headers['strict-transport-security']), /max-age=\d+/);

    const plain = await fetch(`http://127.0.0.1:${http}/api/nodes/ping`, { redirect: 'manual' });
    assert.equal(plain.status, 301);
    assert.match(String(plain.headers.get('location')), /^https:\/\//);
    const direct = await fetch(`${node.url}/api/nodes/ping`);
    assert.equal(direct.headers.get('strict-transport-security'), null, 'plain HTTP to the node itself gets no HSTS');
  });
});
