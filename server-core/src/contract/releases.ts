import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Page, PagingFields, ResourceId, SpaceIdParams, SpaceParams, Timestamp } from './common.js';
import { Deployment } from './deployments.js';
import { endpoint } from './endpoint.js';
import { Step } from './projects.js';

/** Releases: snapshots of a project's process, variables and package versions, and where each stands in its lifecycle. */

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
export const ReleasePage = Page(Release);


export const releaseEndpoints = {
  createRelease: endpoint({
    method: 'POST',
    url: '/api/:spaceId/releases',
    summary: "Create a release: a snapshot of a project's process, variables and package versions (a first phase's automatic environments get it at once).",
    params: SpaceParams,
    body: ReleaseBody,
    response: { 201: Release },
  }),
  listReleases: endpoint({ method: 'GET', url: '/api/:spaceId/releases', summary: 'Releases, newest first, of a project or with a version.', params: SpaceParams, querystring: ReleaseQuery, response: { 200: ReleasePage } }),
  getRelease: endpoint({
    method: 'GET',
    url: '/api/:spaceId/releases/:id',
    summary: 'One release with its process and its progression: per environment, its last deployment and whether you may deploy it there now.',
    params: SpaceIdParams,
    response: { 200: ReleaseDetail },
  }),
};
