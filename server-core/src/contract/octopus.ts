import { Type, type Static } from '@sinclair/typebox';
import { SpaceIdParams, SpaceParams } from './common.js';
import { endpoint } from './endpoint.js';
import { TaskLogText } from './tasks.js';

/**
 * The Octopus-compatible facade: the paths Octopus's public clients (`@octopusdeploy/api-client`,
 * the `octopus` CLI) call that the native API does not have. Octopus's shapes: PascalCase
 * resources, bodies bound whatever their fields' case, query parameters read whatever their
 * case, errors as `{ErrorMessage, Errors}`. The facade checks them itself, so the schemas here
 * are open.
 */
const OctopusResource = Type.Object({}, { additionalProperties: true, description: "An Octopus-shaped resource (PascalCase)." });
const OctopusQuery = Type.Object({}, { additionalProperties: true, description: 'Octopus query parameters (skip, take, ids, partialName, …), any case.' });
const OctopusCommand = Type.Object({}, { additionalProperties: true, description: "An Octopus command; fields bound whatever their case, unknown ones ignored." });
const OctopusList = Type.Array(OctopusResource);

/** The space root, as native clients see it. */
export const SpaceRoot = Type.Object(
  { id: Type.String(), name: Type.String(), isDefault: Type.Boolean(), links: Type.Record(Type.String(), Type.String()) },
  { additionalProperties: false },
);
export type SpaceRoot = Static<typeof SpaceRoot>;

export const octopusEndpoints = {
  listSpaces: endpoint({ method: 'GET', url: '/api/spaces', summary: 'Octopus: spaces (partialName, skip, take).', querystring: OctopusQuery, response: { 200: OctopusResource } }),
  allSpaces: endpoint({ method: 'GET', url: '/api/spaces/all', summary: 'Octopus: every space, as an array.', response: { 200: OctopusList } }),
  createRelease: endpoint({
    method: 'POST',
    url: '/api/:spaceId/releases/create/v1',
    summary: 'Octopus: create a release (ProjectName, ReleaseVersion?, PackageVersion?, Packages[], ReleaseNotes?, IgnoreIfAlreadyExists?) → {ReleaseId, ReleaseVersion}.',
    params: SpaceParams,
    body: OctopusCommand,
    response: { 201: OctopusResource, 200: OctopusResource },
  }),
  projectRelease: endpoint({
    method: 'GET',
    url: '/api/:spaceId/projects/:id/releases/:version',
    summary: "Octopus: a project's release by version (the project by id or slug).",
    params: Type.Object({ ...SpaceIdParams.properties, version: Type.String({ minLength: 1, maxLength: 200 }) }),
    response: { 200: OctopusResource },
  }),
  createDeployment: endpoint({
    method: 'POST',
    url: '/api/:spaceId/deployments/create/untenanted/v1',
    summary: 'Octopus: deploy a release (ProjectName, ReleaseVersion, EnvironmentNames[]) → {DeploymentServerTasks:[{DeploymentId, ServerTaskId}]}.',
    params: SpaceParams,
    body: OctopusCommand,
    response: { 201: OctopusResource },
  }),
  createTenantedDeployment: endpoint({
    method: 'POST',
    url: '/api/:spaceId/deployments/create/tenanted/v1',
    summary: 'Octopus: tenanted deployment; always 400 (Shoal has no tenants).',
    params: SpaceParams,
    body: OctopusCommand,
    response: { 201: OctopusResource },
  }),
  createRunbookRun: endpoint({
    method: 'POST',
    url: '/api/:spaceId/runbook-runs/create/v1',
    summary: 'Octopus: run a runbook (ProjectName, RunbookName, EnvironmentNames[], Snapshot?) → {RunbookRunServerTasks:[{RunbookRunId, ServerTaskId}]}.',
    params: SpaceParams,
    body: OctopusCommand,
    response: { 201: OctopusResource },
  }),
  listRunbookRuns: endpoint({ method: 'GET', url: '/api/:spaceId/runbookRuns', summary: 'Octopus: runbook runs (ids, take).', params: SpaceParams, querystring: OctopusQuery, response: { 200: OctopusResource } }),
  environmentsV2: endpoint({ method: 'GET', url: '/api/:spaceId/environments/v2', summary: 'Octopus: environments (ids, partialName, name, skip, take).', params: SpaceParams, querystring: OctopusQuery, response: { 200: OctopusResource } }),
  spaceTasks: endpoint({ method: 'GET', url: '/api/:spaceId/tasks', summary: 'Octopus: tasks (ids, skip, take).', params: SpaceParams, querystring: OctopusQuery, response: { 200: OctopusResource } }),
  spaceTask: endpoint({ method: 'GET', url: '/api/:spaceId/tasks/:id', summary: 'Octopus: one task.', params: SpaceIdParams, response: { 200: OctopusResource } }),
  spaceTaskDetails: endpoint({ method: 'GET', url: '/api/:spaceId/tasks/:id/details', summary: "Octopus: a task's log tree as {Task, ActivityLogs}.", params: SpaceIdParams, querystring: OctopusQuery, response: { 200: OctopusResource } }),
  taskRaw: endpoint({ method: 'GET', url: '/api/tasks/:id/raw', summary: "Octopus: a task's whole log as plain text.", params: Type.Object({ id: Type.String({ maxLength: 40 }) }), response: { 200: TaskLogText } }),
  spaceTaskRaw: endpoint({ method: 'GET', url: '/api/:spaceId/tasks/:id/raw', summary: "Octopus: a task's whole log as plain text.", params: SpaceIdParams, response: { 200: TaskLogText } }),
  cancelSpaceTask: endpoint({ method: 'POST', url: '/api/spaces/:spaceId/tasks/:id/cancel', summary: "Octopus (Go CLI): cancel a task, with Shoal's rules.", params: SpaceIdParams, response: { 200: OctopusResource } }),
  spaceRoot: endpoint({ method: 'GET', url: '/api/:spaceId', summary: "A space and its collections' links (Octopus's space root to Octopus clients).", params: SpaceParams, response: { 200: SpaceRoot } }),
};

export { OctopusCommand, OctopusList, OctopusQuery, OctopusResource };
