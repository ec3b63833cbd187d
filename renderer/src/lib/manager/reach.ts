import type { ClusterHealth } from '@shoal/manager/bridge';

/** What the fleet says of a cluster: being checked, reachable, unreachable, or without a key to ask it with (not an outage). */
export type Reach = 'checking' | 'reachable' | 'unreachable' | 'nokey';

export function reachOf(health: Pick<ClusterHealth, 'state' | 'error'> | null | undefined): Reach {
  if (!health) return 'checking';
  if (health.state === 'unreachable' && health.error?.code === 'NoApiKey') return 'nokey';
  return health.state;
}

export interface FleetSummary {
  total: number;
  reachable: number;
  unreachable: number;
  /** Connections whose key is not available (a locked encrypted file, a session-only key after a restart). */
  noKey: number;
  /** Offline nodes across the fleet. */
  offline: number;
}

export function summariseFleet(healths: (Pick<ClusterHealth, 'state' | 'error' | 'nodesByStatus'> | null)[]): FleetSummary {
  const count = (reach: Reach) => healths.filter((h) => reachOf(h) === reach).length;
  const offline = healths.reduce((n, h) => n + (h?.nodesByStatus.Offline ?? 0), 0);
  return { total: healths.length, reachable: count('reachable'), unreachable: count('unreachable'), noKey: count('nokey'), offline };
}
