import { Type, type Static } from '@sinclair/typebox';
import { NoContent, Nullable, ResourceId, SpaceIdParams, SpaceParams, Timestamp } from './common.js';
import { endpoint } from './endpoint.js';
import { Process, ProcessBody, Step } from './projects.js';
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
export const ProjectRunbookParams = Type.Object({ ...SpaceIdParams.properties, runbookId: ResourceId });

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

export const runbookEndpoints = {
  listRunbooks: endpoint({ method: 'GET', url: '/api/:spaceId/projects/:id/runbooks', summary: "A project's runbooks with their draft processes.", params: SpaceIdParams, response: { 200: RunbookList } }),
  createRunbook: endpoint({ method: 'POST', url: '/api/:spaceId/projects/:id/runbooks', summary: 'Create a runbook with an empty process.', params: SpaceIdParams, body: RunbookBody, response: { 201: Runbook } }),
  getRunbook: endpoint({ method: 'GET', url: '/api/:spaceId/projects/:id/runbooks/:runbookId', summary: 'One runbook.', params: ProjectRunbookParams, response: { 200: Runbook } }),
  updateRunbook: endpoint({
    method: 'PUT',
    url: '/api/:spaceId/projects/:id/runbooks/:runbookId',
    summary: 'Rename or describe a runbook.',
    params: ProjectRunbookParams,
    body: RunbookBody,
    response: { 200: Runbook },
  }),
  deleteRunbook: endpoint({
    method: 'DELETE',
    url: '/api/:spaceId/projects/:id/runbooks/:runbookId',
    summary: 'Delete a runbook with its snapshots and runs, unless a trigger runs it or a run is queued or running.',
    params: ProjectRunbookParams,
    response: { 204: NoContent },
  }),
  getRunbookProcess: endpoint({ method: 'GET', url: '/api/:spaceId/projects/:id/runbooks/:runbookId/process', summary: "A runbook's draft process.", params: ProjectRunbookParams, response: { 200: Process } }),
  saveRunbookProcess: endpoint({
    method: 'PUT',
    url: '/api/:spaceId/projects/:id/runbooks/:runbookId/process',
    summary: "Replace a runbook's draft process (scripts on the server need admin while builtInWorkerRunAs is unset).",
    params: ProjectRunbookParams,
    body: ProcessBody,
    response: { 200: Process },
  }),
  publishRunbook: endpoint({
    method: 'POST',
    url: '/api/:spaceId/projects/:id/runbooks/:runbookId/publish',
    summary: 'Publish the draft as a snapshot with package versions; runs and triggers use the published one.',
    params: ProjectRunbookParams,
    body: PublishBody,
    response: { 201: RunbookSnapshot },
  }),
  listRunbookSnapshots: endpoint({
    method: 'GET',
    url: '/api/:spaceId/projects/:id/runbooks/:runbookId/snapshots',
    summary: "A runbook's snapshots, newest first.",
    params: ProjectRunbookParams,
    response: { 200: RunbookSnapshotList },
  }),
  runRunbook: endpoint({
    method: 'POST',
    url: '/api/:spaceId/runbook-runs',
    summary: 'Run a runbook snapshot (default: the published one) in an environment your teams allow.',
    params: SpaceParams,
    body: RunbookRunBody,
    response: { 201: RunbookRun },
  }),
  listRunbookRuns: endpoint({ method: 'GET', url: '/api/:spaceId/runbook-runs', summary: 'Runbook runs, newest first, of one runbook or all.', params: SpaceParams, querystring: RunbookRunQuery, response: { 200: RunbookRunList } }),
  getRunbookRun: endpoint({ method: 'GET', url: '/api/:spaceId/runbook-runs/:id', summary: 'One runbook run with the state of its task.', params: SpaceIdParams, response: { 200: RunbookRun } }),
};

// Triggers ----------------------------------------------------------------------------

export const ProjectTriggerParams = Type.Object({ ...SpaceIdParams.properties, triggerId: ResourceId });

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

export const triggerEndpoints = {
  listTriggers: endpoint({ method: 'GET', url: '/api/:spaceId/projects/:id/triggers', summary: "A project's scheduled triggers with their recent firings.", params: SpaceIdParams, response: { 200: TriggerList } }),
  createTrigger: endpoint({
    method: 'POST',
    url: '/api/:spaceId/projects/:id/triggers',
    summary: "Create a trigger that runs a runbook's published snapshot on a cron schedule.",
    params: SpaceIdParams,
    body: TriggerBody,
    response: { 201: Trigger },
  }),
  getTrigger: endpoint({ method: 'GET', url: '/api/:spaceId/projects/:id/triggers/:triggerId', summary: 'One trigger.', params: ProjectTriggerParams, response: { 200: Trigger } }),
  updateTrigger: endpoint({
    method: 'PUT',
    url: '/api/:spaceId/projects/:id/triggers/:triggerId',
    summary: "Change a trigger's schedule, runbook, environments or whether it is disabled.",
    params: ProjectTriggerParams,
    body: TriggerBody,
    response: { 200: Trigger },
  }),
  deleteTrigger: endpoint({ method: 'DELETE', url: '/api/:spaceId/projects/:id/triggers/:triggerId', summary: 'Delete a trigger with its firings.', params: ProjectTriggerParams, response: { 204: NoContent } }),
};
