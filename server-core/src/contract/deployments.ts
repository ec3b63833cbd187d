import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Page, PagingFields, ResourceId, SpaceIdParams, SpaceParams, Timestamp } from './common.js';
import { endpoint } from './endpoint.js';

/** Deployments of releases to environments, manual interventions, and the dashboard. */

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
export const DeploymentPage = Page(Deployment);

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

export const deploymentEndpoints = {
  createDeployment: endpoint({
    method: 'POST',
    url: '/api/:spaceId/deployments',
    summary: 'Deploy a release to an environment the lifecycle and your teams allow.',
    params: SpaceParams,
    body: DeploymentBody,
    response: { 201: Deployment },
  }),
  listDeployments: endpoint({
    method: 'GET',
    url: '/api/:spaceId/deployments',
    summary: 'Deployments, newest first, of a project, environment or release.',
    params: SpaceParams,
    querystring: DeploymentQuery,
    response: { 200: DeploymentPage },
  }),
  getDeployment: endpoint({ method: 'GET', url: '/api/:spaceId/deployments/:id', summary: 'One deployment with the state of its task.', params: SpaceIdParams, response: { 200: Deployment } }),
  redeploy: endpoint({
    method: 'POST',
    url: '/api/:spaceId/deployments/:id/redeploy',
    summary: 'Deploy the same release to the same environment again.',
    params: SpaceIdParams,
    body: RedeployBody,
    response: { 201: Deployment },
  }),
  promoteRelease: endpoint({
    method: 'POST',
    url: '/api/:spaceId/releases/:id/promote',
    summary: 'Deploy a release to the given environment, or to the next one its lifecycle allows.',
    params: SpaceIdParams,
    body: PromoteBody,
    response: { 201: Deployment },
  }),
  dashboard: endpoint({ method: 'GET', url: '/api/:spaceId/dashboard', summary: 'The latest deployment of each project to each environment.', params: SpaceParams, response: { 200: Dashboard } }),
};

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

export const interruptionEndpoints = {
  listInterruptions: endpoint({
    method: 'GET',
    url: '/api/:spaceId/interruptions',
    summary: 'Manual interventions, newest first, of a task or only those still pending.',
    params: SpaceParams,
    querystring: InterruptionQuery,
    response: { 200: InterruptionList },
  }),
  getInterruption: endpoint({ method: 'GET', url: '/api/:spaceId/interruptions/:id', summary: 'One manual intervention.', params: SpaceIdParams, response: { 200: Interruption } }),
  submitInterruption: endpoint({
    method: 'POST',
    url: '/api/:spaceId/interruptions/:id/submit',
    summary: "Proceed or abort a waiting deployment, as one of the environment's Deployers (and of the step's responsible teams).",
    params: SpaceIdParams,
    body: InterruptionSubmitBody,
    response: { 200: Interruption },
  }),
};
