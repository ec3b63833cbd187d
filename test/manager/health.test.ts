/**
 * The manager watching two real targets: a 2-node PostgreSQL cluster behind HAProxy and a
 * standalone node. Cards show nodes, queue and version; a node killed with SIGKILL yields one
 * Offline notification; HAProxy stopped makes the cluster unreachable, and started again, recovered.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OFFLINE_AFTER_MS } from '../../server-core/src/queue/leaseTimings.js';
import { ManagerCore } from '../../manager/src/index.js';
import type { FleetNotification } from '../../manager/src/notifications/notificationCentre.js';
import { ShoalClient } from '../helpers/apiClient.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { freePort } from '../helpers/freePort.js';
import { startHaproxy, type Haproxy } from '../helpers/haproxy.js';
import { waitForHealth } from '../helpers/managerHealth.js';
import { startShoalProcess, type ShoalProcess } from '../helpers/shoalProcess.js';
import { queueScript } from '../helpers/tasks.js';
import { teardown } from '../helpers/teardown.js';
import { tempDir } from '../helpers/tempDir.js';
import { waitFor } from '../../server-core/src/testing/wait.js';

/** The cluster's offline threshold (README, *Failure model*). */
const OFFLINE_THRESHOLD_MS = OFFLINE_AFTER_MS;
const INTERVAL_MS = 1000;

describe('manager: health of a PostgreSQL cluster behind HAProxy and of a standalone node', { timeout: 240_000 }, () => {
  let cluster: Cluster;
  let lb: Haproxy;
  let lbPort: number;
  let solo: ShoalProcess;
  let core: ManagerCore;
  let clusterId: string;
  let soloId: string;
  const notifications: FleetNotification[] = [];
  const of = (connectionId: string, kind: string) => notifications.filter((n) => n.connectionId === connectionId && n.kind === kind);

  before(async () => {
    cluster = await startCluster(2, 2);
    lbPort = await freePort();
    lb = await startHaproxy(cluster.dir, lbPort, cluster.nodes.map((n) => ({ name: n.nodeName, port: n.port })));
    solo = await startShoalProcess({ dataDir: tempDir('shoal-manager-solo-'), nodeName: 'solo' });
    core = await ManagerCore.open({ dataDir: tempDir('shoal-manager-health-'), secrets: 'session', health: { intervalMs: INTERVAL_MS, maxBackoffMs: 2 * INTERVAL_MS } });
    core.notifications.subscribe((n) => notifications.push(n));
  });
  after(async () => {
    await core?.close();
    await teardown();
  });

  it('adds both and shows their nodes, version and queue depth', async () => {
    const clusterKey = await (await ShoalClient.login(lb.url, 'admin', cluster.nodes[0]!.adminPassword)).createApiKey('manager-health');
    const soloAdmin = await ShoalClient.login(solo.url, 'admin', solo.adminPassword);
    clusterId = (await core.addConnection({ name: 'HA cluster', url: lb.url, apiKey: clusterKey, folder: 'Production' })).id;
    soloId = (await core.addConnection({ name: 'Standalone', url: solo.url, apiKey: await soloAdmin.createApiKey('manager-health') })).id;

    const ha = await waitForHealth(core, clusterId, (h) => h.state === 'reachable', 'the cluster was never reachable');
    assert.deepEqual(ha.nodes.map((n) => `${n.name} ${n.status}`), ['node1 Running', 'node2 Running']);
    assert.equal(ha.nodesByStatus.Running, 2);
    assert.equal(ha.queueDepth, 0);
    assert.match(ha.version ?? '', /^\d+\.\d+\.\d+/);
    await waitForHealth(core, soloId, (h) => h.state === 'reachable' && h.nodesByStatus.Running === 1, 'the standalone node was never reachable');

    // Queue depth: with the queue paused, queued tasks wait.
    await soloAdmin.call('PUT', '/api/configuration/queue', { paused: true });
    await queueScript(soloAdmin, 'echo one');
    await queueScript(soloAdmin, 'echo two');
    await waitForHealth(core, soloId, (h) => h.queueDepth === 2, 'the queue depth never showed 2');
    await soloAdmin.call('PUT', '/api/configuration/queue', { paused: false });
    await waitForHealth(core, soloId, (h) => h.queueDepth === 0, 'the queue never emptied');
    assert.deepEqual(notifications, [], 'healthy clusters make no notification');
  });

  it('kill -9 of a node: one Offline notification, within the offline threshold plus a check, and the card shows it', async (t) => {
    const killedAt = Date.now();
    cluster.nodes[1]!.child.kill('SIGKILL');
    const offline = await waitFor(() => of(clusterId, 'node-offline')[0], {
      timeoutMs: OFFLINE_THRESHOLD_MS + 20_000,
      intervalMs: 100,
      message: 'no Offline notification',
    });
    t.diagnostic(`kill -9 → notification: ${Date.now() - killedAt} ms (threshold ${OFFLINE_THRESHOLD_MS} ms, check every ${INTERVAL_MS} ms)`);
    assert.equal(offline!.node, 'node2');
    assert.equal(offline!.severity, 'error');
    assert.deepEqual(offline!.screen, { connectionId: clusterId, view: 'nodes', node: 'node2' });
    const card = core.watcher.health(clusterId)!;
    assert.equal(card.nodes.find((n) => n.name === 'node2')?.status, 'Offline');
    assert.equal(card.nodesByStatus.Offline, 1);

    // Three more checks later, still exactly one notification (no storm), and the cluster was never called unreachable.
    const seen = core.watcher.health(clusterId)!.checkedAt;
    let checks = 0;
    const stop = core.subscribe((e) => {
      if (e.event === 'fleet:health' && e.payload.connectionId === clusterId && e.payload.checkedAt !== seen) checks++;
    });
    await waitFor(() => checks >= 3, { timeoutMs: 20_000, message: 'the cluster was not checked again' });
    stop();
    assert.equal(of(clusterId, 'node-offline').length, 1);
    assert.deepEqual(of(clusterId, 'cluster-unreachable'), [], 'one dead node behind the balancer is not an unreachable cluster');
    assert.deepEqual(notifications.filter((n) => n.connectionId === soloId), []);
  });

  it('HAProxy stopped: the cluster is unreachable with the error and the next retry; started again: recovered', async () => {
    await lb.stop();
    const down = await waitForHealth(core, clusterId, (h) => h.state === 'unreachable', 'the cluster never showed unreachable');
    assert.match(down.error?.message ?? '', /connection refused/);
    assert.ok(down.nextCheckAt && Date.parse(down.nextCheckAt) > Date.parse(down.checkedAt!), 'the card says when the next try is');
    assert.equal(down.nodes.length, 2, 'the last nodes read are still shown');
    await waitFor(() => of(clusterId, 'cluster-unreachable').length === 1, { timeoutMs: 5000, message: 'no unreachable notification' });
    assert.equal(core.watcher.health(soloId)?.state, 'reachable', 'the other connection is unaffected');

    lb = await startHaproxy(cluster.dir, lbPort, [{ name: 'node1', port: cluster.nodes[0]!.port }]);
    await waitFor(() => of(clusterId, 'cluster-recovered').length === 1, { timeoutMs: 15_000, message: 'no recovery notification' });
    assert.equal(core.watcher.health(clusterId)?.state, 'reachable');
    assert.equal(of(clusterId, 'cluster-unreachable').length, 1, 'one notification for the outage, however many failed checks');
  });
});
