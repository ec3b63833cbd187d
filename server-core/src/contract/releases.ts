import { Type, type Static } from '@sinclair/typebox';
import { Nullable, PagingFields, Timestamp } from './common.js';
import { ResourceId, Step } from './deployments.js';

/** Releases, deployments, manual interventions, the dashboard and the deployment log tree. */

export const ReleasePackage = Type.Object(
  { stepName: Type.String(), packageId: Type.String(), version: Type.String() },
  { additionalProperties: false },
);

export const Release = Type.Object(
  {
    id: Type.String(),
    spaceId: Type.String(),
    projectId: Type.String(),
    version: Type.String(),
    notes: Type.String(),
    packages: Type.Array(ReleasePackage),
    createdAt: Timestamp,
    createdBy: Nullable(Type.String()),
  },
  { additionalProperties: false },
);
export type Release = Static<typeof Release>;

export const ReleaseBody = Type.Object(
  {
    projectId: ResourceId,
    version: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "Default: the project's last release with its last number incremented (0.0.1 first)." })),
    packages: Type.Optional(
      Type.Record(Type.String({ maxLength: 200 }), Type.String({ minLength: 1, maxLength: 200 }), {
        description: 'Package version per DeployPackage step name. Default: the latest version in the built-in repository.',
      }),
    ),
    notes: Type.Optional(Type.String({ maxLength: 10_000 })),
  },
  { additionalProperties: false },
);
export type ReleaseBody = Static<typeof ReleaseBody>;

export const DEPLOYMENT_STATES = ['Queued', 'Executing', 'Cancelling', 'Success', 'Failed', 'Canceled', 'TimedOut'] as const;

export const Deployment = Type.Object(
  {
    id: Type.String(),
    spaceId: Type.String(),
    projectId: Type.String(),
    releaseId: Type.String(),
    releaseVersion: Type.String(),
    environmentId: Type.String(),
    environmentName: Type.String(),
    taskId: Type.String(),
    state: Type.String({ description: 'The task state: Queued, Executing, Cancelling, Success, Failed, Canceled, TimedOut.' }),
    errorMessage: Nullable(Type.String()),
    comments: Type.String(),
    createdAt: Timestamp,
    createdBy: Nullable(Type.String()),
    startTime: Nullable(Timestamp),
    completedTime: Nullable(Timestamp),
  },
  { additionalProperties: false },
);
export type Deployment = Static<typeof Deployment>;

export const DeploymentBody = Type.Object(
  { releaseId: ResourceId, environmentId: ResourceId, comments: Type.Optional(Type.String({ maxLength: 2000, description: "Default ''." })) },
  { additionalProperties: false },
);
export type DeploymentBody = Static<typeof DeploymentBody>;

export const PromoteBody = Type.Object(
  {
    environmentId: Type.Optional(ResourceId),
    comments: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false, description: 'Without environmentId: the first environment of the lifecycle the release may go to and has not reached yet.' },
);
export const RedeployBody = Type.Object({ comments: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false });

export const DeploymentQuery = Type.Object(
  {
    projectId: Type.Optional(ResourceId),
    environmentId: Type.Optional(ResourceId),
    releaseId: Type.Optional(ResourceId),
    ...PagingFields,
  },
  { additionalProperties: false },
);
export const DeploymentPage = Type.Object({ items: Type.Array(Deployment), total: Type.Integer() });

/** Where a release stands in its lifecycle: per environment, its last deployment and whether it may go there now. */
export const ReleaseProgression = Type.Object(
  {
    environmentId: Type.String(),
    environmentName: Type.String(),
    phaseName: Type.String(),
    automatic: Type.Boolean(),
    deployment: Nullable(Deployment),
    canDeploy: Type.Boolean(),
    reason: Nullable(Type.String({ description: 'Why a deployment would be refused now (lifecycle or permission).' })),
  },
  { additionalProperties: false },
);

export const ReleaseDetail = Type.Object(
  {
    ...Release.properties,
    lifecycleId: Type.String(),
    process: Type.Array(Step, { description: 'The process as the release snapshot holds it.' }),
    progression: Type.Array(ReleaseProgression),
    nextEnvironmentId: Nullable(Type.String({ description: 'Where promote without an environment goes.' })),
  },
  { additionalProperties: false },
);
export type ReleaseDetail = Static<typeof ReleaseDetail>;

export const ReleaseQuery = Type.Object(
  { projectId: Type.Optional(ResourceId), version: Type.Optional(Type.String({ maxLength: 200 })), ...PagingFields },
  { additionalProperties: false },
);
export const ReleasePage = Type.Object({ items: Type.Array(Release), total: Type.Integer() });

// Manual interventions ----------------------------------------------------------------

export const Interruption = Type.Object(
  {
    id: Type.String(),
    spaceId: Type.String(),
    taskId: Type.String(),
    environmentId: Type.String(),
    title: Type.String(),
    instructions: Type.String(),
    responsibleTeamIds: Type.Array(Type.String()),
    state: Type.String({ description: 'Pending, Proceed, Abort, or Canceled (the task ended while it waited).' }),
    notes: Nullable(Type.String()),
    submittedBy: Nullable(Type.String()),
    submittedAt: Nullable(Timestamp),
    createdAt: Timestamp,
    canSubmit: Type.Boolean({ description: 'Whether the caller may approve or abort it.' }),
  },
  { additionalProperties: false },
);
export const InterruptionList = Type.Array(Interruption);
export const InterruptionQuery = Type.Object(
  {
    pendingOnly: Type.Boolean({ default: false }),
    taskId: Type.Optional(Type.String({ maxLength: 50 })),
  },
  { additionalProperties: false },
);
export const InterruptionSubmitBody = Type.Object(
  { result: Type.Union([Type.Literal('Proceed'), Type.Literal('Abort')]), notes: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);

// Dashboard ---------------------------------------------------------------------------

export const Dashboard = Type.Object(
  {
    environments: Type.Array(Type.Object({ id: Type.String(), name: Type.String() }, { additionalProperties: false })),
    projects: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), lifecycleId: Type.String() }, { additionalProperties: false })),
    items: Type.Array(
      Type.Object(
        {
          projectId: Type.String(),
          environmentId: Type.String(),
          deploymentId: Type.String(),
          releaseId: Type.String(),
          releaseVersion: Type.String(),
          taskId: Type.String(),
          state: Type.String(),
          createdAt: Timestamp,
          completedTime: Nullable(Timestamp),
        },
        { additionalProperties: false },
      ),
      { description: 'The latest deployment of each project to each environment.' },
    ),
  },
  { additionalProperties: false },
);

// The task log tree -------------------------------------------------------------------

export const LogLine = Type.Object(
  { time: Nullable(Type.String()), level: Type.String(), text: Type.String() },
  { additionalProperties: false },
);

const activityFields = {
  id: Type.String(),
  name: Type.String(),
  kind: Type.String({ description: 'Step, Server or Target.' }),
  state: Type.String({ description: 'Pending, Running, Success, Failed, Skipped, Canceled.' }),
  startedAt: Nullable(Timestamp),
  endedAt: Nullable(Timestamp),
  durationMs: Nullable(Type.Integer()),
  lines: Type.Array(LogLine),
  omittedLines: Type.Integer({ description: 'Older lines left out (the full log is at /api/tasks/{id}/log).' }),
};
export const LeafActivity = Type.Object(activityFields, { additionalProperties: false });
export const StepActivity = Type.Object({ ...activityFields, children: Type.Array(LeafActivity) }, { additionalProperties: false });

export const TaskDetails = Type.Object(
  {
    taskId: Type.String(),
    state: Type.String(),
    nodeName: Nullable(Type.String()),
    startTime: Nullable(Timestamp),
    completedTime: Nullable(Timestamp),
    durationMs: Nullable(Type.Integer()),
    errorMessage: Nullable(Type.String()),
    lines: Type.Array(LogLine, { description: "The task's own lines (start, end, errors), outside any step." }),
    omittedLines: Type.Integer(),
    activities: Type.Array(StepActivity),
  },
  { additionalProperties: false },
);
export type TaskDetails = Static<typeof TaskDetails>;
export const TaskDetailsQuery = Type.Object(
  { tail: Type.Integer({ minimum: 0, maximum: 100_000, default: 2000, description: 'Most lines kept per node of the tree.' }) },
  { additionalProperties: false },
);
