import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Timestamp } from './common.js';
import { ResourceId, Step } from './deployments.js';
import { ReleasePackage } from './releases.js';

/** Runbooks (a draft process and published snapshots), runbook runs and scheduled triggers. */

export const Runbook = Type.Object(
  {
    id: Type.String(),
    spaceId: Type.String(),
    projectId: Type.String(),
    name: Type.String(),
    description: Type.String(),
    publishedSnapshotId: Nullable(Type.String()),
    process: Type.Array(Step, { description: 'The draft process.' }),
  },
  { additionalProperties: false },
);
export type Runbook = Static<typeof Runbook>;
export const RunbookList = Type.Array(Runbook);

export const RunbookBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), description: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);
export const ProjectRunbookParams = Type.Object({ spaceId: Type.String({ minLength: 1, maxLength: 50 }), id: ResourceId, runbookId: ResourceId });
export const ProjectTriggerParams = Type.Object({ spaceId: Type.String({ minLength: 1, maxLength: 50 }), id: ResourceId, triggerId: ResourceId });

export const RunbookSnapshot = Type.Object(
  {
    id: Type.String(),
    runbookId: Type.String(),
    name: Type.String(),
    notes: Type.String(),
    packages: Type.Array(ReleasePackage),
    process: Type.Array(Step),
    createdAt: Timestamp,
    createdBy: Nullable(Type.String()),
  },
  { additionalProperties: false },
);
export const RunbookSnapshotList = Type.Array(RunbookSnapshot);
export const PublishBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Default: "Snapshot N".' })),
    notes: Type.Optional(Type.String({ maxLength: 2000 })),
    packages: Type.Optional(Type.Record(Type.String({ maxLength: 200 }), Type.String({ minLength: 1, maxLength: 200 }))),
  },
  { additionalProperties: false },
);

export const RunbookRun = Type.Object(
  {
    id: Type.String(),
    spaceId: Type.String(),
    projectId: Type.String(),
    runbookId: Type.String(),
    snapshotId: Type.String(),
    environmentId: Type.String(),
    triggerId: Nullable(Type.String()),
    taskId: Type.String(),
    state: Type.String(),
    errorMessage: Nullable(Type.String()),
    createdAt: Timestamp,
    createdBy: Nullable(Type.String()),
  },
  { additionalProperties: false },
);
export const RunbookRunList = Type.Array(RunbookRun);
export const RunbookRunBody = Type.Object(
  { runbookId: ResourceId, environmentId: ResourceId, snapshotId: Type.Optional(ResourceId) },
  { additionalProperties: false, description: 'Without snapshotId: the published snapshot.' },
);
export const RunbookRunQuery = Type.Object(
  { runbookId: Type.Optional(ResourceId), take: Type.Integer({ minimum: 1, maximum: 500, default: 30 }) },
  { additionalProperties: false },
);

export const TriggerFiring = Type.Object(
  {
    dueAt: Timestamp,
    firedAt: Timestamp,
    nodeName: Type.String(),
    outcome: Type.String({ description: 'Queued, or Skipped (the previous run was still queued or running).' }),
    message: Type.String(),
    taskIds: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);
export const Trigger = Type.Object(
  {
    id: Type.String(),
    projectId: Type.String(),
    runbookId: Type.String(),
    name: Type.String(),
    cron: Type.String(),
    timeZone: Type.String(),
    environmentIds: Type.Array(Type.String()),
    isDisabled: Type.Boolean(),
    nextDueAt: Timestamp,
    recentFirings: Type.Array(TriggerFiring, { description: 'Newest first, at most 20.' }),
  },
  { additionalProperties: false },
);
export const TriggerList = Type.Array(Trigger);
export const TriggerBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    runbookId: ResourceId,
    cron: Type.String({ minLength: 1, maxLength: 200, description: 'Five fields, or six with seconds first (`*/10 * * * * *`).' }),
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'IANA name. Default UTC.' })),
    environmentIds: Type.Array(ResourceId, { minItems: 1, maxItems: 100, uniqueItems: true }),
    isDisabled: Type.Optional(Type.Boolean({ description: 'Default false.' })),
  },
  { additionalProperties: false },
);
export type TriggerBody = Static<typeof TriggerBody>;
