import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Timestamp } from './common.js';

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
    storage: Nullable(Type.Object({ ok: Type.Boolean() }, { additionalProperties: false })),
    error: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type Ping = Static<typeof Ping>;
