/** Fleet events: one per transition, none at the first sight of a cluster's nodes, folded repeats in the centre. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ShoalNode } from '@shoal/server-core/contract';
import { NotificationCentre } from '../notifications/notificationCentre.js';
import { nextCheckDelay } from './backoff.js';
import { emptyHealth, healthFromFailure, healthFromReading, type ClusterHealth } from './clusterHealth.js';
import { fleetEvents, UNREACHABLE_AT_START_AFTER } from './fleetEvents.js';

const node = (name: string, status: ShoalNode['status'], storageOk = true): ShoalNode => ({
  name,
  status,
  lastSeen: '2026-01-01T00:00:00.000Z',
  taskCap: 5,
  runningTasks: 1,
  drain: false,
  version: status === 'VersionMismatch' ? '0.0.9' : '0.1.0',
  url: `http://${name}`,
  storage: { ok: storageOk, checkedAt: '2026-01-01T00:00:00.000Z', problems: storageOk ? [] : ['taskLogs: cannot read node1 marker'] },
});

let clock = Date.parse('2026-01-01T00:00:00Z');
const tick = () => new Date((clock += 5000));
const read = (h: ClusterHealth, nodes: ShoalNode[]) => healthFromReading(h, { nodes, queueDepth: 3 }, tick());
const fail = (h: ClusterHealth) => healthFromFailure(h, { code: 'Unreachable', message: 'Nothing answers at lb:80 (connection refused).' }, tick());
const kinds = (before: ClusterHealth, after: ClusterHealth) => fleetEvents(before, after).map((e) => `${e.kind}${e.node ? ` ${e.node}` : ''}`);

describe('fleet events', () => {
  it('announces nothing for nodes already in trouble at the first reading, then one event per transition', () => {
    const h0 = emptyHealth('c1', 'Prod');
    const h1 = read(h0, [node('node1', 'Running'), node('node2', 'Offline')]);
    assert.deepEqual(kinds(h0, h1), []);
    assert.deepEqual(h1.nodesByStatus, { Running: 1, Draining: 0, Drained: 0, Offline: 1, VersionMismatch: 0 });
    assert.equal(h1.runningTasks, 2);
    assert.equal(h1.queueDepth, 3);

    const h2 = read(h1, [node('node1', 'Offline'), node('node2', 'Offline')]);
    assert.deepEqual(kinds(h1, h2), ['node-offline node1']);
    const h3 = read(h2, [node('node1', 'Offline'), node('node2', 'Offline')]);
    assert.deepEqual(kinds(h2, h3), [], 'still offline is no news');
    const h4 = read(h3, [node('node1', 'Running'), node('node2', 'VersionMismatch', false), node('node3', 'Running', false)]);
    assert.deepEqual(kinds(h3, h4), ['node-back node1', 'node-back node2', 'node-version-mismatch node2', 'node-storage-problem node2', 'node-storage-problem node3']);
    assert.deepEqual(h4.storageWarnings.map((w) => w.node), ['node2', 'node3']);
  });

  it('announces an unreachable cluster once, and its recovery with what changed meanwhile', () => {
    const h0 = emptyHealth('c1', 'Prod');
    const h1 = read(h0, [node('node1', 'Running'), node('node2', 'Running')]);
    const h2 = fail(h1);
    assert.deepEqual(kinds(h1, h2), ['cluster-unreachable']);
    assert.equal(h2.nodes.length, 2, 'the card keeps the last nodes read');
    const h3 = fail(h2);
    assert.deepEqual(kinds(h2, h3), []);
    assert.equal(h3.failures, 2);
    const h4 = read(h3, [node('node1', 'Running'), node('node2', 'Offline')]);
    assert.deepEqual(kinds(h3, h4), ['cluster-recovered', 'node-offline node2']);
    assert.equal(h4.failures, 0);
  });

  it('a cluster not reached since the start is announced after a few failed checks, and recovers quietly before that', () => {
    const checks = [emptyHealth('c2', 'New')];
    for (let i = 0; i < UNREACHABLE_AT_START_AFTER + 2; i++) checks.push(fail(checks.at(-1)!));
    const announced = checks.slice(1).map((h, i) => kinds(checks[i]!, h));
    assert.deepEqual(announced.flat(), ['cluster-unreachable'], 'announced once');
    assert.deepEqual(announced[UNREACHABLE_AT_START_AFTER - 1], ['cluster-unreachable'], `announced at the ${UNREACHABLE_AT_START_AFTER}th failed check`);
    assert.deepEqual(kinds(checks.at(-1)!, read(checks.at(-1)!, [node('node1', 'Running')])), ['cluster-recovered']);

    // The app's own node behind a balancer that has not routed to it yet: one failure, then an answer.
    const starting = fail(emptyHealth('c4', 'Desktop cluster'));
    assert.deepEqual(kinds(emptyHealth('c4', 'Desktop cluster'), starting), []);
    assert.deepEqual(kinds(starting, read(starting, [node('node1', 'Running')])), [], 'no all-clear for an outage never announced');
  });

  it('a connection without a stored key is not announced as unreachable, nor as recovered once the key is entered', () => {
    const h0 = emptyHealth('c3', 'Imported');
    const h1 = healthFromFailure(h0, { code: 'NoApiKey', message: 'No API key is stored for Imported; enter it in the connection.' }, tick());
    assert.equal(h1.state, 'unreachable');
    assert.deepEqual(kinds(h0, h1), []);
    assert.deepEqual(kinds(h1, read(h1, [node('node1', 'Running')])), []);
  });

  it('waits the interval while a cluster answers and backs off while it does not', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 9].map((f) => nextCheckDelay(1000, f, 10_000)), [1000, 1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('the notification centre folds the same event within the repeat window into the first', () => {
    const centre = new NotificationCentre({ repeatWindowMs: 60_000 });
    const shown: string[] = [];
    centre.subscribe((n) => shown.push(n.title));
    const h1 = read(emptyHealth('c1', 'Prod'), [node('node1', 'Running')]);
    const offline = () => fleetEvents(h1, read(h1, [node('node1', 'Offline')]))[0]!;
    assert.ok(centre.add(offline()));
    assert.equal(centre.add(offline()), undefined);
    clock += 120_000;
    assert.ok(centre.add(offline()), 'after the window it is news again');
    assert.equal(shown.length, 2);
    assert.deepEqual(centre.list().map((n) => n.repeats), [0, 1]);
    centre.markRead('all');
    assert.ok(centre.list().every((n) => n.read));
  });
});
