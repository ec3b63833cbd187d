/**
 * What a fleet card shows for one cluster, and how one refresh reads it: one GET /api/cluster
 * (the nodes with their status, tasks and storage, the queue and the version). A cluster of an
 * older version without that route is read with two GETs instead: /api/nodes, and the total of
 * /api/tasks?state=Queued&take=1.
 */
import type { ClusterClient } from '../cluster/clusterClient.js';
import { ClusterError } from '../cluster/clusterError.js';
import { NODE_STATUSES, type ClusterSummary, type NodeStatus, type ShoalNode, type TaskPage } from '@shoal/server-core/contract';
import { clusterVersionOf } from '../cluster/clusterVersion.js';

export type ReachState = 'checking' | 'reachable' | 'unreachable';

export interface ClusterHealth {
  connectionId: string;
  name: string;
  state: ReachState;
  /** When the last check ended. */
  checkedAt: string | null;
  /** When the cluster last answered; what follows is as it was then while it is unreachable. */
  lastReachableAt: string | null;
  error: { code: string; message: string } | null;
  /** When the next check starts (later and later while unreachable). */
  nextCheckAt: string | null;
  /** Failed checks in a row. */
  failures: number;
  version: string | null;
  nodes: ShoalNode[];
  nodesByStatus: Record<NodeStatus, number>;
  queueDepth: number | null;
  runningTasks: number | null;
  /** The cluster-wide queue pause (null when not known: an older cluster). */
  queuePaused: boolean | null;
  storageWarnings: { node: string; problems: string[] }[];
}

export interface ClusterReading {
  nodes: ShoalNode[];
  queueDepth: number;
  /** From the cluster's summary; older clusters: the nodes' own counts and version. */
  runningTasks?: number;
  version?: string;
  queuePaused?: boolean;
}

export async function readCluster(client: ClusterClient, timeoutMs: number): Promise<ClusterReading> {
  let summary: ClusterSummary;
  try {
    summary = await getOnceMore<ClusterSummary>(client, '/api/cluster', timeoutMs);
  } catch (err) {
    if (!(err instanceof ClusterError && err.status === 404)) throw err;
    const nodes = await getOnceMore<ShoalNode[]>(client, '/api/nodes', timeoutMs);
    const queued = await getOnceMore<TaskPage>(client, '/api/tasks?state=Queued&take=1', timeoutMs);
    return { nodes, queueDepth: queued.total };
  }
  return { nodes: summary.nodes, queueDepth: summary.queue.queued, runningTasks: summary.queue.running, version: summary.version, queuePaused: summary.queue.paused };
}

/**
 * A GET tried a second time when the first found no answer: a balancer sends a request to a node
 * that just died until its health check notices (a couple of seconds), and one unlucky request
 * must not make the whole cluster look unreachable. The second goes to another node.
 */
async function getOnceMore<T>(client: ClusterClient, path: string, timeoutMs: number): Promise<T> {
  try {
    return await client.json<T>('GET', path, { timeoutMs });
  } catch (err) {
    if (!(err instanceof ClusterError && err.code === 'Unreachable')) throw err;
    return client.json<T>('GET', path, { timeoutMs });
  }
}

export function emptyHealth(connectionId: string, name: string): ClusterHealth {
  return {
    connectionId,
    name,
    state: 'checking',
    checkedAt: null,
    lastReachableAt: null,
    error: null,
    nextCheckAt: null,
    failures: 0,
    version: null,
    nodes: [],
    nodesByStatus: countByStatus([]),
    queueDepth: null,
    runningTasks: null,
    queuePaused: null,
    storageWarnings: [],
  };
}

export function healthFromReading(before: ClusterHealth, reading: ClusterReading, at: Date): ClusterHealth {
  const { nodes } = reading;
  return {
    ...before,
    state: 'reachable',
    checkedAt: at.toISOString(),
    lastReachableAt: at.toISOString(),
    error: null,
    failures: 0,
    version: reading.version ?? clusterVersionOf(nodes),
    nodes,
    nodesByStatus: countByStatus(nodes),
    queueDepth: reading.queueDepth,
    runningTasks: reading.runningTasks ?? nodes.reduce((sum, n) => sum + n.runningTasks, 0),
    queuePaused: reading.queuePaused ?? null,
    storageWarnings: nodes.filter((n) => n.storage && !n.storage.ok).map((n) => ({ node: n.name, problems: n.storage!.problems })),
  };
}

/** A failed check keeps what was last read (the card shows it as of lastReachableAt). */
export function healthFromFailure(before: ClusterHealth, error: { code: string; message: string }, at: Date): ClusterHealth {
  return { ...before, state: 'unreachable', checkedAt: at.toISOString(), error, failures: before.failures + 1 };
}

function countByStatus(nodes: ShoalNode[]): Record<NodeStatus, number> {
  const counts = Object.fromEntries(NODE_STATUSES.map((s) => [s, 0])) as Record<NodeStatus, number>;
  for (const n of nodes) if (n.status in counts) counts[n.status]++;
  return counts;
}
