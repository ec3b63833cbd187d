import { octopusEndpoints } from '../contract/octopus.js';
import { activityEndpoints } from '../contract/activities.js';
import { deploymentEndpoints } from '../contract/deployments.js';
import { environmentEndpoints } from '../contract/environments.js';
import { packageEndpoints } from '../contract/packages.js';
import { projectEndpoints } from '../contract/projects.js';
import { releaseEndpoints } from '../contract/releases.js';
import { taskEndpoints } from '../contract/tasks.js';
import type { NodeContext } from '../nodeContext.js';
import type { SharedRoute } from './dialect.js';
import { listDeploymentsOctopus } from './deployments.js';
import { getProjectOctopus, listEnvironmentsOctopus, listProjectsOctopus } from './lists.js';
import { octopusUpload } from './packages.js';
import { getReleaseOctopus } from './releases.js';
import { taskDetailsOctopus } from './taskLogs.js';
import { cancelTaskOctopus, getTaskOctopus, listTasksOctopus } from './tasks.js';
import { requireSpaceRow, toOctopusSpace } from './spaces.js';

/** The native paths Octopus's clients also call, and what the facade answers them there. */
export function octopusShared(ctx: NodeContext): SharedRoute[] {
  const { shoal } = ctx;
  return [
    {
      endpoint: octopusEndpoints.spaceRoot,
      octopus: async (req) => toOctopusSpace(await requireSpaceRow(shoal, (req.params as { spaceId: string }).spaceId)),
    },
    { endpoint: packageEndpoints.upload, octopus: octopusUpload(ctx) },
    { endpoint: environmentEndpoints.listEnvironments, octopus: listEnvironmentsOctopus(ctx) },
    { endpoint: projectEndpoints.listProjects, octopus: listProjectsOctopus(ctx) },
    { endpoint: projectEndpoints.getProject, octopus: getProjectOctopus(ctx) },
    { endpoint: releaseEndpoints.getRelease, octopus: getReleaseOctopus(ctx) },
    { endpoint: deploymentEndpoints.listDeployments, octopus: listDeploymentsOctopus(ctx) },
    { endpoint: taskEndpoints.listTasks, octopus: listTasksOctopus(ctx) },
    { endpoint: taskEndpoints.getTask, octopus: getTaskOctopus(ctx) },
    { endpoint: taskEndpoints.cancelTask, octopus: cancelTaskOctopus(ctx) },
    { endpoint: activityEndpoints.taskDetails, octopus: taskDetailsOctopus(ctx) },
  ];
}
