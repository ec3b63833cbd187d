/**
 * The deployment model's calls, in the default space: environments, projects with their
 * process and variables, releases, deployments, manual interventions and runbooks.
 */
import {
  activityEndpoints,
  agentDownloadEndpoints,
  deploymentEndpoints,
  environmentEndpoints,
  interruptionEndpoints,
  lifecycleEndpoints,
  projectEndpoints,
  releaseEndpoints,
  runbookEndpoints,
  targetEndpoints,
  type EnvironmentBody,
  type LifecycleBody,
  type ProcessBody,
  type ProjectBody,
  type ReleaseBody,
  type TargetUpdateBody,
  type VariablesBody,
} from '@shoal/server-core/contract';
import { call, SPACE_ID } from './api';

const space = { spaceId: SPACE_ID };
const one = (id: string) => ({ spaceId: SPACE_ID, id });
const env = environmentEndpoints;
const proj = projectEndpoints;
const dep = deploymentEndpoints;
const rb = runbookEndpoints;

export const environmentsApi = {
  list: () => call(env.listEnvironments, { params: space }),
  create: (body: EnvironmentBody) => call(env.createEnvironment, { params: space, body }),
  update: (id: string, body: EnvironmentBody) => call(env.updateEnvironment, { params: one(id), body }),
  remove: (id: string) => call(env.deleteEnvironment, { params: one(id) }),
  reorder: (environmentIds: string[]) => call(env.reorderEnvironments, { params: space, body: { environmentIds } }),
};

const lc = lifecycleEndpoints;
export const lifecyclesApi = {
  list: () => call(lc.listLifecycles, { params: space }),
  create: (body: LifecycleBody) => call(lc.createLifecycle, { params: space, body }),
  update: (id: string, body: LifecycleBody) => call(lc.updateLifecycle, { params: one(id), body }),
  remove: (id: string) => call(lc.deleteLifecycle, { params: one(id) }),
};

export const projectsApi = {
  list: () => call(proj.listProjects, { params: space, query: { take: 500 } }),
  get: (id: string) => call(proj.getProject, { params: one(id) }),
  create: (body: ProjectBody) => call(proj.createProject, { params: space, body }),
  update: (id: string, body: ProjectBody) => call(proj.updateProject, { params: one(id), body }),
  process: (id: string) => call(proj.getProcess, { params: one(id) }),
  saveProcess: (id: string, body: ProcessBody) => call(proj.saveProcess, { params: one(id), body }),
  variables: (id: string) => call(proj.getVariables, { params: one(id) }),
  saveVariables: (id: string, body: VariablesBody) => call(proj.saveVariables, { params: one(id), body }),
};

export const releasesApi = {
  list: (projectId: string) => call(releaseEndpoints.listReleases, { params: space, query: { projectId, take: 50 } }),
  get: (id: string) => call(releaseEndpoints.getRelease, { params: one(id) }),
  create: (body: ReleaseBody) => call(releaseEndpoints.createRelease, { params: space, body }),
};

export const deploymentsApi = {
  deploy: (releaseId: string, environmentId: string) => call(dep.createDeployment, { params: space, body: { releaseId, environmentId } }),
  get: (id: string) => call(dep.getDeployment, { params: one(id) }),
  ofProject: (projectId: string) => call(dep.listDeployments, { params: space, query: { projectId, take: 20 } }),
  redeploy: (id: string) => call(dep.redeploy, { params: one(id), body: {} }),
  dashboard: () => call(dep.dashboard, { params: space }),
  /** The tree's states and durations (`tail: 0`: no lines; they come live from the log). */
  details: (taskId: string) => call(activityEndpoints.taskDetails, { params: { id: taskId }, query: { tail: 0 } }),
};

export const interruptionsApi = {
  ofTask: (taskId: string) => call(interruptionEndpoints.listInterruptions, { params: space, query: { taskId } }),
  pending: () => call(interruptionEndpoints.listInterruptions, { params: space, query: { pendingOnly: true } }),
  submit: (id: string, result: 'Proceed' | 'Abort', notes: string) =>
    call(interruptionEndpoints.submitInterruption, { params: one(id), body: { result, notes: notes || undefined } }),
};

export const runbooksApi = {
  list: (projectId: string) => call(rb.listRunbooks, { params: one(projectId) }),
  create: (projectId: string, body: { name: string; description?: string }) => call(rb.createRunbook, { params: one(projectId), body }),
  saveProcess: (projectId: string, runbookId: string, body: ProcessBody) => call(rb.saveRunbookProcess, { params: { ...one(projectId), runbookId }, body }),
  publish: (projectId: string, runbookId: string) => call(rb.publishRunbook, { params: { ...one(projectId), runbookId }, body: {} }),
  run: (runbookId: string, environmentId: string) => call(rb.runRunbook, { params: space, body: { runbookId, environmentId } }),
  runs: (runbookId: string) => call(rb.listRunbookRuns, { params: space, query: { runbookId, take: 10 } }),
  getRun: (id: string) => call(rb.getRunbookRun, { params: one(id) }),
};

const tg = targetEndpoints;
export const targetsApi = {
  list: () => call(tg.listTargets, { params: space }),
  update: (id: string, body: TargetUpdateBody) => call(tg.updateTarget, { params: one(id), body }),
  remove: (id: string) => call(tg.deleteTarget, { params: one(id) }),
  registrationToken: (environmentIds: string[], roles: string[]) => call(tg.createRegistrationToken, { params: space, body: { environmentIds, roles } }),
  /** A self-contained agent this node serves, for `platform` or the node's own (404 when it serves none). */
  agentBundle: (platform?: string) => call(agentDownloadEndpoints.agentBundle, { query: { platform } }),
};
