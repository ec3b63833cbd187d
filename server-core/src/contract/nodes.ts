import { Type, type Static } from '@sinclair/typebox';
import { NoContent, Nullable, Timestamp } from './common.js';
import { endpoint } from './endpoint.js';
import { TaskList } from './tasks.js';

export const NODE_STATUSES = ['Running', 'Draining', 'Drained', 'Offline', 'VersionMismatch'] as const;
export const NodeStatus = Type.Union(NODE_STATUSES.map((s) => Type.Literal(s)));
export type NodeStatus = Static<typeof NodeStatus>;

/** A node's shared-storage verification: it can read every other online node's marker in every folder. */
export const StorageStatus = Type.Object(
  { ok: Type.Boolean(), checkedAt: Timestamp, problems: Type.Array(Type.String()) },
  { additionalProperties: false },
);
export type StorageStatus = Static<typeof StorageStatus>;

export const ShoalNode = Type.Object(
  {
    name: Type.String(),
    status: NodeStatus,
    lastSeen: Timestamp,
    taskCap: Type.Integer({ minimum: 0 }),
    runningTasks: Type.Integer({ minimum: 0 }),
    drain: Type.Boolean(),
    version: Type.String(),
    url: Type.String(),
    storage: Nullable(StorageStatus),
  },
  { additionalProperties: false },
);
export type ShoalNode = Static<typeof ShoalNode>;

export const NodeList = Type.Array(ShoalNode);

export const NodePatch = Type.Object(
  { taskCap: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })), drain: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type NodePatch = Static<typeof NodePatch>;

export const NodeParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) });

/** The anonymous health check: 200 running, 418 draining, 503 no database. No paths, no problem details. */
export const Ping = Type.Object(
  {
    name: Type.String(),
    version: Type.String(),
    drain: Nullable(Type.Boolean()),
    runningTasks: Type.Integer({ minimum: 0 }),
    database: Type.Union([Type.Literal('ok'), Type.Literal('unreachable')]),
    /** Whether the node holds its lease and takes tasks; when not, `error` says why (503). */
    lease: Type.Union([Type.Literal('held'), Type.Literal('never-held'), Type.Literal('expired'), Type.Literal('removed')]),
    storage: Nullable(Type.Object({ ok: Type.Boolean() }, { additionalProperties: false })),
    error: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type Ping = Static<typeof Ping>;

/** One read for a dashboard (the desktop manager's fleet card): the nodes, the queue and the version, in one request. */
export const ClusterSummary = Type.Object(
  {
    /** The version the cluster runs (its nodes of another version show VersionMismatch). */
    version: Type.String(),
    nodes: NodeList,
    queue: Type.Object(
      {
        /** Tasks waiting for a node. */
        queued: Type.Integer({ minimum: 0 }),
        /** Tasks running on any node. */
        running: Type.Integer({ minimum: 0 }),
        paused: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type ClusterSummary = Static<typeof ClusterSummary>;

/** The failure model's thresholds (README, *Failure model*), the same on every node. */
export const FailoverTimings = Type.Object(
  {
    heartbeatIntervalMs: Type.Integer(),
    fenceAfterMs: Type.Integer(),
    offlineAfterMs: Type.Integer(),
    leaseStatementTimeoutMs: Type.Integer(),
  },
  { additionalProperties: false },
);
export type FailoverTimings = Static<typeof FailoverTimings>;

export const nodeEndpoints = {
  failover: endpoint({ method: 'GET', url: '/api/configuration/failover', summary: 'Heartbeat interval, fence and Offline thresholds of the cluster.', response: { 200: FailoverTimings } }),
  ping: endpoint({ method: 'GET', url: '/api/nodes/ping', summary: "The load balancer's health check: 200 running, 418 draining, 503 no database or no lease (error says why).", response: { 200: Ping } }),
  octopusPing: endpoint({ method: 'GET', url: '/api/octopusservernodes/ping', summary: 'The same health check at the path Octopus load balancers use.', response: { 200: Ping } }),
  listNodes: endpoint({ method: 'GET', url: '/api/nodes', summary: "The cluster's nodes.", response: { 200: NodeList } }),
  getNode: endpoint({ method: 'GET', url: '/api/nodes/:name', summary: 'One node.', params: NodeParams, response: { 200: ShoalNode } }),
  updateNode: endpoint({ method: 'PATCH', url: '/api/nodes/:name', summary: 'Drain or undrain a node, or change its task cap.', params: NodeParams, body: NodePatch, response: { 200: ShoalNode } }),
  deleteNode: endpoint({ method: 'DELETE', url: '/api/nodes/:name', summary: 'Remove an Offline node.', params: NodeParams, response: { 204: NoContent } }),
  clusterSummary: endpoint({ method: 'GET', url: '/api/cluster', summary: 'The nodes, the queue (queued and running tasks, paused) and the version in one answer.', response: { 200: ClusterSummary } }),
  nodeTasks: endpoint({ method: 'GET', url: '/api/nodes/:name/tasks', summary: 'The tasks a node is running.', params: NodeParams, response: { 200: TaskList } }),
};
