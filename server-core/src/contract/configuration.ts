import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from './common.js';
import { endpoint } from './endpoint.js';
import { NodeStatus, StorageStatus } from './nodes.js';

/** A paused queue starts no new tasks on any node. */
export const QueueConfig = Type.Object({ paused: Type.Boolean() }, { additionalProperties: false });
export type QueueConfig = Static<typeof QueueConfig>;

/** How the cluster looks after its deployment targets. */
export const MachinePolicy = Type.Object(
  {
    healthCheckIntervalMinutes: Type.Integer({
      minimum: 0,
      maximum: 7 * 24 * 60,
      description: 'Every target is health-checked this often, once across the cluster (0: never; a target is still checked when it first connects).',
    }),
  },
  { additionalProperties: false },
);
export type MachinePolicy = Static<typeof MachinePolicy>;

export const STORAGE_KINDS = ['packages', 'artifacts', 'taskLogs', 'imports', 'eventExports'] as const;
export const StorageKind = Type.Union(STORAGE_KINDS.map((k) => Type.Literal(k)));
export type StorageKind = Static<typeof StorageKind>;

export const StoragePathReport = Type.Object(
  {
    kind: StorageKind,
    path: Type.String(),
    realPath: Nullable(Type.String()),
    exists: Type.Boolean(),
    writable: Type.Boolean(),
    freeBytes: Nullable(Type.Number()),
    totalBytes: Nullable(Type.Number()),
    problem: Nullable(Type.String()),
    source: Type.Union([Type.Literal('cluster'), Type.Literal('node')], { description: 'Set for the whole cluster in the database, or this node\'s own configuration.' }),
  },
  { additionalProperties: false },
);
export type StoragePathReport = Static<typeof StoragePathReport>;

export const StorageConfiguration = Type.Object(
  {
    checkedBy: Type.String(),
    paths: Type.Array(StoragePathReport),
    nodes: Type.Array(Type.Object({ name: Type.String(), status: NodeStatus, storage: Nullable(StorageStatus) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
export type StorageConfiguration = Static<typeof StorageConfiguration>;

const PathValue = Type.String({ minLength: 1, maxLength: 1000 });
export const StoragePathsPatch = Type.Object(
  {
    packages: Type.Optional(PathValue),
    artifacts: Type.Optional(PathValue),
    taskLogs: Type.Optional(PathValue),
    imports: Type.Optional(PathValue),
    eventExports: Type.Optional(PathValue),
  },
  { additionalProperties: false },
);
export type StoragePathsPatch = Static<typeof StoragePathsPatch>;

export const configurationEndpoints = {
  getQueue: endpoint({ method: 'GET', url: '/api/configuration/queue', summary: 'Whether the queue is paused for the whole cluster.', response: { 200: QueueConfig } }),
  setQueue: endpoint({ method: 'PUT', url: '/api/configuration/queue', summary: 'Pause or resume the queue on every node.', body: QueueConfig, response: { 200: QueueConfig } }),
  getMachinePolicy: endpoint({ method: 'GET', url: '/api/configuration/machine-policy', summary: 'How often every target is health-checked.', response: { 200: MachinePolicy } }),
  setMachinePolicy: endpoint({
    method: 'PUT',
    url: '/api/configuration/machine-policy',
    summary: 'Change how often every target is health-checked; the next periodic check is one interval from now.',
    body: MachinePolicy,
    response: { 200: MachinePolicy },
  }),
  getStorage: endpoint({ method: 'GET', url: '/api/configuration/storage', summary: "Storage paths, checked from this node, and each node's shared-storage verdict.", response: { 200: StorageConfiguration } }),
  setStorage: endpoint({ method: 'PUT', url: '/api/configuration/storage', summary: 'Set storage paths for the whole cluster.', body: StoragePathsPatch, response: { 200: StorageConfiguration } }),
};
