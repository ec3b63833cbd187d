/**
 * Encoded spellings of every protected route, sent without credentials through the example
 * HAProxy and nginx configs to a real node: none is answered with data, and nothing changes
 * (users, tasks, settings, nodes, packages and the audit log are compared after).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pathVariants } from '../../server-core/src/testing/pathVariants.js';
import { rawRequest } from '../../server-core/src/testing/rawHttp.js';
import { ShoalClient } from '../helpers/apiClient.js';
import { freePort } from '../helpers/freePort.js';
import { startHaproxy } from '../helpers/haproxy.js';
import { startNginx } from '../helpers/nginx.js';
import { startShoalProcess, type ShoalProcess } from '../helpers/shoalProcess.js';
import { tempDir } from '../helpers/tempDir.js';
import { teardown } from '../helpers/teardown.js';

interface Operation {
  method: string;
  path: string;
  access: string;
}

/** Every protected operation, from the node's own OpenAPI document. */
async function protectedOperations(admin: ShoalClient): Promise<Operation[]> {
  const doc = await admin.get('/api/openapi.json');
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, { 'x-access': string }>>)) {
    for (const [method, op] of Object.entries(methods)) {
      if (op['x-access'] !== 'anonymous') ops.push({ method: method.toUpperCase(), path, access: op['x-access'] });
    }
  }
  return ops;
}

const fill = (path: string) =>
  path.replace(/\{(\w+|\*)\}/g, (_m, name: string) => ({ name: 'lb-node', spaceId: 'Spaces-1', id: 'ServerTasks-1', packageId: 'Pkg', version: '1.0.0', keyId: 'ApiKeys-1' })[name] ?? 'x');

/** What must not change: everything an anonymous request could have touched. */
async function state(admin: ShoalClient) {
  const [users, tasks, events, queue, nodes, packages] = await Promise.all([
    admin.get('/api/users'),
    admin.get('/api/tasks?take=500'),
    admin.get('/api/events?take=1'),
    admin.get('/api/configuration/queue'),
    admin.get('/api/nodes'),
    admin.get('/api/Spaces-1/packages'),
  ]);
  return {
    users: users.map((u: { username: string; disabled: boolean }) => `${u.username}:${u.disabled}`),
    tasks: tasks.items.map((t: { id: string; state: string }) => `${t.id}:${t.state}`),
    events: events.total,
    queue,
    nodes: nodes.map((n: { name: string; drain: boolean; taskCap: number }) => `${n.name}:${n.drain}:${n.taskCap}`),
    packages: packages.total,
  };
}

describe('encoded paths through the example load balancers', () => {
  let node: ShoalProcess;
  let admin: ShoalClient;
  const proxies: { name: string; port: number }[] = [];
  before(async () => {
    node = await startShoalProcess({ dataDir: tempDir('shoal-lb-paths-'), nodeName: 'lb-node', taskCap: 0, env: { SHOAL_TRUSTED_PROXIES: '127.0.0.1' } });
    admin = await ShoalClient.login(node.url, 'admin', node.adminPassword);
    await admin.post('/api/tasks', { kind: 'SystemIntegrityCheck' });
    const haproxyPort = await freePort();
    await startHaproxy(tempDir('shoal-lb-haproxy-'), haproxyPort, [{ name: 'lb-node', port: node.port }]);
    const nginxPort = await freePort();
    await startNginx(tempDir('shoal-lb-nginx-'), nginxPort, [node.port]);
    proxies.push({ name: 'HAProxy', port: haproxyPort }, { name: 'nginx', port: nginxPort });
  });
  after(() => teardown());

  it('no spelling of a protected route answers without credentials, directly or through either balancer, and nothing changes', async () => {
    const before = await state(admin);
    const ops = await protectedOperations(admin);
    assert.ok(ops.length >= 40, `${ops.length} protected operations`);
    let sent = 0;
    for (const via of [{ name: 'direct', port: node.port }, ...proxies]) {
      for (const op of ops) {
        for (const v of pathVariants(fill(op.path), `http://127.0.0.1:${via.port}`)) {
          const body = ['POST', 'PUT', 'PATCH'].includes(op.method) ? '{"paused":true,"drain":true,"taskCap":0,"username":"mallory","password":"mallory-pw-123456","isAdmin":true}' : undefined;
          const res = await rawRequest(via.port, { method: op.method, target: v.target, body, headers: body ? { 'content-type': 'application/json' } : {} });
          sent++;
          assert.ok(res.status >= 400 && res.status < 500 && res.status !== 418, `${via.name}: ${op.method} ${v.target} (${v.what}) answered ${res.status}: ${res.body.slice(0, 160)}`);
        }
      }
    }
    console.log(`${sent} requests without credentials, none answered with data`);
    assert.deepEqual(await state(admin), before);
  });
});
