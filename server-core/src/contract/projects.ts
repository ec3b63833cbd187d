import { Type, type Static } from '@sinclair/typebox';
import { NoContent, Nullable, Page, PagingFields, ResourceDescription, ResourceIds, ResourceName, SpaceIdParams, SpaceParams } from './common.js';
import { endpoint } from './endpoint.js';

/**
 * Projects with their deployment process and variables, and library variable sets.
 * Sensitive variable values are write-only: no response schema here has room for one.
 */

// Processes ---------------------------------------------------------------------------

export const STEP_ACTIONS = ['RunScript', 'DeployPackage', 'ManualIntervention'] as const;
export type StepAction = (typeof STEP_ACTIONS)[number];
const StepActionName = Type.Union(STEP_ACTIONS.map((a) => Type.Literal(a)));
const StepCondition = Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('always')]);
const PropertyValue = Type.Union([Type.String({ maxLength: 512 * 1024 }), Type.Array(Type.String({ maxLength: 1000 }), { maxItems: 200 }), Type.Boolean(), Type.Number()]);

export const StepBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, description: 'Unique in the process.' }),
    action: StepActionName,
    runOn: Type.Optional(Type.Union([Type.Literal('server'), Type.Literal('targets')], { description: 'Default: targets when the step has roles, else server.' })),
    roles: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50, description: 'Target roles. Default [].' })),
    environmentIds: Type.Optional(ResourceIds('Run only in these environments. Default []: every environment.')),
    condition: Type.Optional(Type.Union(StepCondition.anyOf, { description: 'Default success: only when nothing failed before.' })),
    maxParallelTargets: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, description: 'A step on targets runs on at most this many at once. Default: all at once.' })),
    properties: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), PropertyValue, { description: 'The action’s settings (see the README). Default {}.' })),
  },
  { additionalProperties: false },
);
export type StepBody = Static<typeof StepBody>;

export const Step = Type.Object(
  {
    name: Type.String(),
    action: StepActionName,
    runOn: Type.Union([Type.Literal('server'), Type.Literal('targets')]),
    roles: Type.Array(Type.String()),
    environmentIds: Type.Array(Type.String()),
    condition: StepCondition,
    maxParallelTargets: Type.Optional(Type.Integer()),
    properties: Type.Record(Type.String(), PropertyValue),
  },
  { additionalProperties: false },
);
export type Step = Static<typeof Step>;

export const ProcessBody = Type.Object({ steps: Type.Array(StepBody, { maxItems: 100 }) }, { additionalProperties: false });
export type ProcessBody = Static<typeof ProcessBody>;
export const Process = Type.Object({ ownerId: Type.String(), steps: Type.Array(Step) }, { additionalProperties: false });
export type Process = Static<typeof Process>;

// Variables ---------------------------------------------------------------------------

export const VariableScope = Type.Object(
  {
    environmentIds: Type.Optional(ResourceIds('')),
    roles: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 })),
    targetIds: Type.Optional(ResourceIds('')),
    stepNames: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 100 })),
  },
  { additionalProperties: false },
);
export type VariableScope = Static<typeof VariableScope>;

export const VariableBody = Type.Object(
  {
    id: Type.Optional(Type.String({ maxLength: 50, description: 'Keeps a sensitive value sent without `value`.' })),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    value: Type.Optional(Nullable(Type.String({ maxLength: 256 * 1024 }))),
    sensitive: Type.Optional(Type.Boolean({ description: 'Encrypted, never shown again, masked in logs. Default false.' })),
    scope: Type.Optional(VariableScope),
  },
  { additionalProperties: false },
);
export type VariableBody = Static<typeof VariableBody>;

export const Variable = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    value: Nullable(Type.String({ description: 'null for a sensitive value (see hasValue).' })),
    sensitive: Type.Boolean(),
    hasValue: Type.Boolean(),
    scope: Type.Object(
      { environmentIds: Type.Array(Type.String()), roles: Type.Array(Type.String()), targetIds: Type.Array(Type.String()), stepNames: Type.Array(Type.String()) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type Variable = Static<typeof Variable>;

export const VariablesBody = Type.Object({ variables: Type.Array(VariableBody, { maxItems: 2000 }) }, { additionalProperties: false });
export type VariablesBody = Static<typeof VariablesBody>;
export const VariableSet = Type.Object({ ownerId: Type.String(), variables: Type.Array(Variable) }, { additionalProperties: false });
export type VariableSet = Static<typeof VariableSet>;

// Projects ----------------------------------------------------------------------------

export const Project = Type.Object(
  {
    id: Type.String(),
    spaceId: Type.String(),
    name: Type.String(),
    description: Type.String(),
    lifecycleId: Type.String(),
    libraryVariableSetIds: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);
export type Project = Static<typeof Project>;
export const ProjectPage = Page(Project);

export const ProjectBody = Type.Object(
  {
    name: ResourceName,
    description: Type.Optional(ResourceDescription),
    lifecycleId: Type.Optional(Type.String({ maxLength: 50, description: "Default: the space's default lifecycle." })),
    libraryVariableSetIds: Type.Optional(ResourceIds('Library variable sets whose variables the project uses. Default [].')),
  },
  { additionalProperties: false },
);
export type ProjectBody = Static<typeof ProjectBody>;

export const ProjectQuery = Type.Object(
  { name: Type.Optional(Type.String({ maxLength: 200, description: 'Exactly this name (any case).' })), ...PagingFields },
  { additionalProperties: false },
);

export const projectEndpoints = {
  listProjects: endpoint({ method: 'GET', url: '/api/:spaceId/projects', summary: 'Projects in name order, or the one with a given name.', params: SpaceParams, querystring: ProjectQuery, response: { 200: ProjectPage } }),
  createProject: endpoint({ method: 'POST', url: '/api/:spaceId/projects', summary: 'Create a project with an empty process.', params: SpaceParams, body: ProjectBody, response: { 201: Project } }),
  getProject: endpoint({ method: 'GET', url: '/api/:spaceId/projects/:id', summary: 'One project.', params: SpaceIdParams, response: { 200: Project } }),
  updateProject: endpoint({ method: 'PUT', url: '/api/:spaceId/projects/:id', summary: "Change a project's name, lifecycle or library variable sets.", params: SpaceIdParams, body: ProjectBody, response: { 200: Project } }),
  deleteProject: endpoint({
    method: 'DELETE',
    url: '/api/:spaceId/projects/:id',
    summary: 'Delete a project with its releases, deployments, runbooks and triggers, unless one of its tasks is queued or running.',
    params: SpaceIdParams,
    response: { 204: NoContent },
  }),
  getProcess: endpoint({ method: 'GET', url: '/api/:spaceId/projects/:id/process', summary: "A project's deployment process.", params: SpaceIdParams, response: { 200: Process } }),
  saveProcess: endpoint({
    method: 'PUT',
    url: '/api/:spaceId/projects/:id/process',
    summary: "Replace a project's deployment process (scripts on the server need admin while builtInWorkerRunAs is unset).",
    params: SpaceIdParams,
    body: ProcessBody,
    response: { 200: Process },
  }),
  getVariables: endpoint({ method: 'GET', url: '/api/:spaceId/projects/:id/variables', summary: "A project's variables, sensitive values shown only as hasValue.", params: SpaceIdParams, response: { 200: VariableSet } }),
  saveVariables: endpoint({ method: 'PUT', url: '/api/:spaceId/projects/:id/variables', summary: "Replace a project's variables.", params: SpaceIdParams, body: VariablesBody, response: { 200: VariableSet } }),
};

// Library variable sets ---------------------------------------------------------------

export const LibraryVariableSet = Type.Object(
  { id: Type.String(), spaceId: Type.String(), name: Type.String(), description: Type.String(), variables: Type.Array(Variable) },
  { additionalProperties: false },
);
export type LibraryVariableSet = Static<typeof LibraryVariableSet>;
export const LibraryVariableSetList = Type.Array(LibraryVariableSet);
export const LibraryVariableSetBody = Type.Object(
  { name: ResourceName, description: Type.Optional(ResourceDescription), variables: Type.Optional(Type.Array(VariableBody, { maxItems: 2000 })) },
  { additionalProperties: false },
);
export type LibraryVariableSetBody = Static<typeof LibraryVariableSetBody>;

export const libraryVariableSetEndpoints = {
  listLibraryVariableSets: endpoint({ method: 'GET', url: '/api/:spaceId/libraryvariablesets', summary: 'Every library variable set of the space.', params: SpaceParams, response: { 200: LibraryVariableSetList } }),
  createLibraryVariableSet: endpoint({
    method: 'POST',
    url: '/api/:spaceId/libraryvariablesets',
    summary: 'Create a library variable set.',
    params: SpaceParams,
    body: LibraryVariableSetBody,
    response: { 201: LibraryVariableSet },
  }),
  getLibraryVariableSet: endpoint({ method: 'GET', url: '/api/:spaceId/libraryvariablesets/:id', summary: 'One library variable set with its variables.', params: SpaceIdParams, response: { 200: LibraryVariableSet } }),
  updateLibraryVariableSet: endpoint({
    method: 'PUT',
    url: '/api/:spaceId/libraryvariablesets/:id',
    summary: 'Change a library variable set and its variables.',
    params: SpaceIdParams,
    body: LibraryVariableSetBody,
    response: { 200: LibraryVariableSet },
  }),
  deleteLibraryVariableSet: endpoint({ method: 'DELETE', url: '/api/:spaceId/libraryvariablesets/:id', summary: 'Delete a library variable set no project uses.', params: SpaceIdParams, response: { 204: NoContent } }),
};
