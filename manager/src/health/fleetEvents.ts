/**
 * The events worth telling an operator, found by comparing a cluster's health before and after
 * a check: one event per transition (a node going Offline, into VersionMismatch or a storage
 * problem, coming back; the cluster becoming unreachable or recovering), never one per check.
 *
 * Nodes already in trouble when the manager first reaches a cluster are shown on its card but
 * not announced: otherwise every start would repeat the fleet's old news. A cluster not reached
 * yet since the manager started is announced once UNREACHABLE_AT_START_AFTER checks in a row
 * failed (about 7 s with the backoff): a balancer routes to a node that has just started only
 * after its own health checks pass, and the app's own node restarting must not raise an alarm
 * and its all-clear at every start. Its recovery is announced only after such an announcement.
 * A connection whose key is not stored (imported, or kept for a session that ended) is not
 * called unreachable: its card asks for the key.
 */
import type { ShoalNode } from '@shoal/server-core/contract';
import type { ClusterHealth } from './clusterHealth.js';

export const FLEET_EVENT_KINDS = ['node-offline', 'node-version-mismatch', 'node-storage-problem', 'node-back', 'cluster-unreachable', 'cluster-recovered'] as const;
export type FleetEventKind = (typeof FLEET_EVENT_KINDS)[number];

export interface FleetEvent {
  kind: FleetEventKind;
  severity: 'error' | 'warning' | 'info';
  connectionId: string;
  connectionName: string;
  node: string | null;
  title: string;
  message: string;
  at: string;
  /** The screen a click on the notification opens. */
  screen: { connectionId: string; view: 'fleet' | 'nodes'; node?: string };
}

/** Failed checks in a row before a cluster never reached since the manager started is announced. */
export const UNREACHABLE_AT_START_AFTER = 4;

/** Whether the cluster's unreachability has been (or is now) announced. */
const outageAnnounced = (h: ClusterHealth) => h.state === 'unreachable' && (h.lastReachableAt !== null || h.failures >= UNREACHABLE_AT_START_AFTER);

export function fleetEvents(before: ClusterHealth, after: ClusterHealth): FleetEvent[] {
  const at = after.checkedAt ?? new Date().toISOString();
  const base = { connectionId: after.connectionId, connectionName: after.name, at };
  const events: FleetEvent[] = [];
  const keyMissing = (h: ClusterHealth) => h.state === 'unreachable' && h.error?.code === 'NoApiKey';
  if (outageAnnounced(after) && !outageAnnounced(before) && !keyMissing(after)) {
    events.push({
      ...base,
      kind: 'cluster-unreachable',
      severity: 'error',
      node: null,
      title: `${after.name} is unreachable`,
      message: after.error?.message ?? 'The cluster does not answer.',
      screen: { connectionId: after.connectionId, view: 'fleet' },
    });
  }
  if (after.state !== 'reachable') return events;
  if (outageAnnounced(before) && !keyMissing(before)) {
    events.push({
      ...base,
      kind: 'cluster-recovered',
      severity: 'info',
      node: null,
      title: `${after.name} is reachable again`,
      message: `The cluster answers again (${after.nodes.length} node${after.nodes.length === 1 ? '' : 's'}).`,
      screen: { connectionId: after.connectionId, view: 'fleet' },
    });
  }
  // Compared with the last nodes read, even across an outage: a node that died meanwhile is announced now.
  if (before.lastReachableAt === null) return events;
  const previous = new Map(before.nodes.map((n) => [n.name, n]));
  for (const node of after.nodes) events.push(...nodeEvents(previous.get(node.name), node, base));
  return events;
}

function nodeEvents(before: ShoalNode | undefined, after: ShoalNode, base: Pick<FleetEvent, 'connectionId' | 'connectionName' | 'at'>): FleetEvent[] {
  const screen = { connectionId: base.connectionId, view: 'nodes' as const, node: after.name };
  const make = (kind: FleetEventKind, severity: FleetEvent['severity'], title: string, message: string): FleetEvent => ({ ...base, kind, severity, node: after.name, title, message, screen });
  const was = before?.status;
  const events: FleetEvent[] = [];
  if (after.status === 'Offline' && was !== 'Offline') {
    events.push(make('node-offline', 'error', `${after.name} is offline (${base.connectionName})`, `Node ${after.name} was last seen at ${after.lastSeen}; its running tasks are ended by the cluster.`));
  }
  if (was === 'Offline' && after.status !== 'Offline') {
    events.push(make('node-back', 'info', `${after.name} is back (${base.connectionName})`, `Node ${after.name} is ${after.status} again.`));
  }
  if (after.status === 'VersionMismatch' && was !== 'VersionMismatch') {
    events.push(make('node-version-mismatch', 'warning', `${after.name} runs another version (${base.connectionName})`, `Node ${after.name} runs ${after.version}, not the cluster's version; it takes no tasks.`));
  }
  const storageBad = after.status !== 'Offline' && after.storage?.ok === false;
  const storageWasBad = before?.storage?.ok === false;
  if (storageBad && !storageWasBad) {
    events.push(make('node-storage-problem', 'warning', `${after.name} has a storage problem (${base.connectionName})`, after.storage!.problems.join(' ') || 'The node does not see the shared storage the others see.'));
  }
  return events;
}
