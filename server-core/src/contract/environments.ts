import { Type, type Static } from '@sinclair/typebox';
import { NoContent, Nullable, ResourceDescription, ResourceId, ResourceIds, ResourceName, SpaceIdParams, SpaceParams } from './common.js';
import { endpoint } from './endpoint.js';

/** Environments, in their order, and lifecycles: the promotion rules between them. */

// Environments ------------------------------------------------------------------------

export const Environment = Type.Object(
  { id: Type.String(), spaceId: Type.String(), name: Type.String(), description: Type.String(), sortOrder: Type.Integer() },
  { additionalProperties: false },
);
export type Environment = Static<typeof Environment>;
export const EnvironmentList = Type.Array(Environment);

export const EnvironmentBody = Type.Object(
  {
    name: ResourceName,
    description: Type.Optional(ResourceDescription),
    sortOrder: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Default: after the last environment.' })),
  },
  { additionalProperties: false },
);
export type EnvironmentBody = Static<typeof EnvironmentBody>;

export const EnvironmentOrderBody = Type.Object(
  { environmentIds: Type.Array(ResourceId, { minItems: 1, maxItems: 500, uniqueItems: true, description: 'Every environment of the space, in the new order.' }) },
  { additionalProperties: false },
);

export const environmentEndpoints = {
  listEnvironments: endpoint({ method: 'GET', url: '/api/:spaceId/environments', summary: 'Every environment of the space, in order.', params: SpaceParams, response: { 200: EnvironmentList } }),
  createEnvironment: endpoint({ method: 'POST', url: '/api/:spaceId/environments', summary: 'Create an environment.', params: SpaceParams, body: EnvironmentBody, response: { 201: Environment } }),
  reorderEnvironments: endpoint({
    method: 'PUT',
    url: '/api/:spaceId/environments/sort-order',
    summary: 'Put every environment of the space in a new order.',
    params: SpaceParams,
    body: EnvironmentOrderBody,
    response: { 200: EnvironmentList },
  }),
  getEnvironment: endpoint({ method: 'GET', url: '/api/:spaceId/environments/:id', summary: 'One environment.', params: SpaceIdParams, response: { 200: Environment } }),
  updateEnvironment: endpoint({ method: 'PUT', url: '/api/:spaceId/environments/:id', summary: 'Rename, describe or move an environment.', params: SpaceIdParams, body: EnvironmentBody, response: { 200: Environment } }),
  deleteEnvironment: endpoint({ method: 'DELETE', url: '/api/:spaceId/environments/:id', summary: 'Delete an environment nothing uses.', params: SpaceIdParams, response: { 204: NoContent } }),
};

// Lifecycles --------------------------------------------------------------------------

export const PhaseBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    environmentIds: Type.Optional(ResourceIds('Environments deployed to by hand. Default [].')),
    automaticDeploymentEnvironmentIds: Type.Optional(ResourceIds('Environments deployed to automatically once the earlier phases are complete. Default [].')),
    minimumEnvironmentsBeforePromotion: Type.Optional(Type.Integer({ minimum: 0, maximum: 500, description: 'Successful environments that complete the phase; 0 (default): all of them.' })),
    isOptional: Type.Optional(Type.Boolean({ description: 'An optional phase never holds back a later one. Default false.' })),
  },
  { additionalProperties: false },
);
export const Phase = Type.Object(
  {
    name: Type.String(),
    environmentIds: Type.Array(Type.String()),
    automaticDeploymentEnvironmentIds: Type.Array(Type.String()),
    minimumEnvironmentsBeforePromotion: Type.Integer(),
    isOptional: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type Phase = Static<typeof Phase>;

export const Lifecycle = Type.Object(
  {
    id: Type.String(),
    spaceId: Type.String(),
    name: Type.String(),
    description: Type.String(),
    isDefault: Type.Boolean({ description: 'The space default: without phases of its own, each environment is a phase, in order.' }),
    usesEnvironmentOrder: Type.Boolean({ description: 'Its phases are the environments in order (shown in `phases`).' }),
    phases: Type.Array(Phase),
  },
  { additionalProperties: false },
);
export type Lifecycle = Static<typeof Lifecycle>;
export const LifecycleList = Type.Array(Lifecycle);

export const LifecycleBody = Type.Object(
  {
    name: ResourceName,
    description: Type.Optional(ResourceDescription),
    phases: Type.Optional(Nullable(Type.Array(PhaseBody, { maxItems: 100, description: 'null or absent: each environment its own phase, in order.' }))),
  },
  { additionalProperties: false },
);
export type LifecycleBody = Static<typeof LifecycleBody>;

export const lifecycleEndpoints = {
  listLifecycles: endpoint({ method: 'GET', url: '/api/:spaceId/lifecycles', summary: 'Every lifecycle of the space.', params: SpaceParams, response: { 200: LifecycleList } }),
  createLifecycle: endpoint({ method: 'POST', url: '/api/:spaceId/lifecycles', summary: 'Create a lifecycle.', params: SpaceParams, body: LifecycleBody, response: { 201: Lifecycle } }),
  getLifecycle: endpoint({ method: 'GET', url: '/api/:spaceId/lifecycles/:id', summary: 'One lifecycle with its phases.', params: SpaceIdParams, response: { 200: Lifecycle } }),
  updateLifecycle: endpoint({ method: 'PUT', url: '/api/:spaceId/lifecycles/:id', summary: "Change a lifecycle's name or phases.", params: SpaceIdParams, body: LifecycleBody, response: { 200: Lifecycle } }),
  deleteLifecycle: endpoint({ method: 'DELETE', url: '/api/:spaceId/lifecycles/:id', summary: 'Delete a lifecycle no project uses.', params: SpaceIdParams, response: { 204: NoContent } }),
};
