/**
 * The parts of the Shoal API the manager reads itself (the portal reads the rest through the
 * proxy). To be replaced by server-core's contract types once the lead lands them.
 */
export const NODE_STATUSES = ['Running', 'Draining', 'Drained', 'Offline', 'VersionMismatch'] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];

export interface StorageStatus {
  ok: boolean;
  checkedAt: string;
  problems: string[];
}

/** GET /api/nodes, one item. */
export interface ShoalNode {
  name: string;
  status: NodeStatus;
  lastSeen: string;
  taskCap: number;
  runningTasks: number;
  drain: boolean;
  version: string;
  url: string;
  storage: StorageStatus | null;
}

/** GET /api/users/me */
export interface ShoalUser {
  id: string;
  username: string;
  isAdmin: boolean;
  roles: string[];
}

/** GET /api/tasks */
export interface ShoalTaskPage {
  items: unknown[];
  total: number;
}

/** The version the cluster runs: the most common among its nodes that are not Offline (or any, when all are). */
export function clusterVersionOf(nodes: ShoalNode[]): string | null {
  const live = nodes.filter((n) => n.status !== 'Offline');
  const counts = new Map<string, number>();
  for (const n of live.length ? live : nodes) counts.set(n.version, (counts.get(n.version) ?? 0) + 1);
  let best: string | null = null;
  for (const [v, c] of counts) if (best === null || c > counts.get(best)!) best = v;
  return best;
}
