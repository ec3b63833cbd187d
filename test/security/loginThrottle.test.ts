/**
 * Login throttling on a real node: repeated failures lock the account and the address (the
 * right password then waits too), and a flood of failed logins from many addresses leaves
 * other clients' requests fast. Figures are printed; the assertions are about throttling,
 * not timing.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ShoalClient } from '../helpers/apiClient.js';
import { startShoalProcess, type ShoalProcess } from '../helpers/shoalProcess.js';
import { tempDir } from '../helpers/tempDir.js';
import { teardown } from '../helpers/teardown.js';

const PACKAGE_BYTES = 32 * 1024 * 1024;

async function login(node: ShoalProcess, username: string, password: string, address: string): Promise<number> {
  const res = await fetch(`${node.url}/api/users/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ username, password }),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Runs `count` calls of `fn`, `concurrency` at a time; returns their results in order. */
async function pool<T>(count: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const i = next++;
      out[i] = await fn(i);
    }
  }));
  return out;
}

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

describe('login throttling', () => {
  let node: ShoalProcess;
  let admin: ShoalClient;
  before(async () => {
    node = await startShoalProcess({ dataDir: tempDir('shoal-throttle-'), nodeName: 'throttle-node', env: { SHOAL_TRUSTED_PROXIES: '127.0.0.1' } });
    admin = await ShoalClient.login(node.url, 'admin', node.adminPassword);
  });
  after(() => teardown());

  it('200 wrong passwords lock the account and the address; the right password then waits too', async () => {
    const statuses = await pool(200, 20, () => login(node, 'admin', 'not-the-password-at-all', '203.0.113.7'));
    const wrong = statuses.filter((s) => s === 401).length;
    const throttled = statuses.filter((s) => s === 429).length;
    console.log(`200 wrong passwords: ${wrong} answered 401, ${throttled} answered 429`);
    assert.equal(wrong + throttled, 200, `only 401 and 429: ${[...new Set(statuses)]}`);
    assert.ok(wrong <= 30, `${wrong} attempts were checked; the lock should stop all but the first few`);
    assert.equal(await login(node, 'admin', node.adminPassword, '203.0.113.7'), 429, 'the right password from the same address waits');
    assert.equal(await login(node, 'admin', node.adminPassword, '198.51.100.9'), 429, 'and from another address: the account is locked');
    const unknown = await pool(10, 5, () => login(node, 'no-such-user', 'whatever-password', '203.0.113.99'));
    assert.ok(unknown.includes(429), 'an unknown account is throttled the same way, so answers do not tell which accounts exist');
    const audit = await admin.get('/api/events?take=500');
    const failures = audit.items.filter((e: { action: string }) => e.action === 'user.login-failed').length;
    console.log(`audit rows for the failed logins: ${failures}`);
    assert.ok(failures <= 5, `failed logins are audited at most once a minute per source, got ${failures}`);
  });

  it('a flood of failed logins from many addresses leaves other requests fast (figures)', async () => {
    const form = new FormData();
    form.append('file', new Blob([crypto.randomBytes(PACKAGE_BYTES)]), 'Big.1.0.0.zip');
    const up = await fetch(`${node.url}/api/Spaces-1/packages/raw`, { method: 'POST', headers: admin.headers(), body: form });
    assert.equal(up.status, 201, await up.text());
    const measure = async (rounds: number) => {
      const api: number[] = [];
      const downloads: number[] = [];
      for (let i = 0; i < rounds; i++) {
        let t = performance.now();
        await admin.get('/api/tasks?take=5');
        api.push(performance.now() - t);
        t = performance.now();
        const res = await fetch(`${node.url}/api/Spaces-1/packages/Big/versions/1.0.0/raw`, { headers: admin.headers() });
        assert.equal((await res.arrayBuffer()).byteLength, PACKAGE_BYTES);
        downloads.push(performance.now() - t);
      }
      return { api, downloads };
    };
    const quiet = await measure(5);
    let flooding = true;
    const flood = pool(600, 40, async (i) => (flooding ? login(node, `user-${i}-${crypto.randomUUID()}`, 'wrong-password-xyz', `10.${i >> 8}.${i & 255}.${(i * 7) & 255}`) : 0));
    const during = await measure(5);
    flooding = false;
    const statuses = await flood;
    const fmt = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;
    console.log(`quiet:  API ${fmt(quiet.api)}; ${PACKAGE_BYTES >> 20} MiB download ${fmt(quiet.downloads)}`);
    console.log(`flood:  API ${fmt(during.api)}; ${PACKAGE_BYTES >> 20} MiB download ${fmt(during.downloads)}`);
    console.log(`flood answers: ${statuses.filter((s) => s === 401).length} × 401, ${statuses.filter((s) => s === 429).length} × 429`);
    assert.ok(statuses.every((s) => [0, 401, 429].includes(s)), `unexpected answers: ${[...new Set(statuses)]}`);
    assert.equal((await fetch(`${node.url}/api/nodes/ping`)).status, 200, 'the node is up after the flood');
  });
});
