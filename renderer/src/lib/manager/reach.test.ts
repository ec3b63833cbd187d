import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterHealth } from '@shoal/manager/bridge';
import { reachOf, summariseFleet } from './reach';

const byStatus = (offline: number): ClusterHealth['nodesByStatus'] => ({ Running: 1, Draining: 0, Drained: 0, Offline: offline, VersionMismatch: 0 });
const reachable = { state: 'reachable', error: null, nodesByStatus: byStatus(1) } as const;
const down = { state: 'unreachable', error: { code: 'ECONNREFUSED', message: 'Nothing answers' }, nodesByStatus: byStatus(0) } as const;
const locked = { state: 'unreachable', error: { code: 'NoApiKey', message: 'No API key is stored for prod' }, nodesByStatus: byStatus(0) } as const;

test('a cluster without its key is not counted as unreachable', () => {
  assert.equal(reachOf(null), 'checking');
  assert.equal(reachOf(reachable), 'reachable');
  assert.equal(reachOf(down), 'unreachable');
  assert.equal(reachOf(locked), 'nokey');
  assert.deepEqual(summariseFleet([reachable, down, locked, null]), { total: 4, reachable: 1, unreachable: 1, noKey: 1, offline: 1 });
});
