import { badRequest } from '../api/errors.js';
import { listDeployments } from '../deployments/deploymentViews.js';
import { listReleases } from '../deployments/releaseRows.js';
import { queueDeployment } from '../deployments/service.js';
import type { NodeContext } from '../nodeContext.js';
import { taskId } from '../queue/taskRecord.js';
import { actorOf } from '../resources/actor.js';
import { formatId, parseId } from '../resources/ids.js';
import { unitOfWork } from '../resources/shoalTrx.js';
import { collection } from './collection.js';
import { projectCommand } from './command.js';
import { executionOptions } from './executions.js';
import type { OctopusHandler } from './dialect.js';
import { environmentsNamed } from './lookup.js';
import { octopusQuery } from './query.js';
import { toOctopusDeployment } from './resources.js';

type SpaceParams = { spaceId: string };

/**
 * `POST /api/{spaceId}/deployments/create/untenanted/v1`: one deployment per environment, queued
 * through Shoal's deployment service (permission, lifecycle) in one transaction, so a refusal
 * for any environment queues none.
 */
export function createDeploymentV1(ctx: NodeContext): OctopusHandler {
  const { shoal } = ctx;
  return async (req, reply) => {
    const { spaceId, cmd, project } = await projectCommand(shoal, req);
    const version = cmd.requiredString('ReleaseVersion');
    const names = executionOptions(cmd);
    const release = (await listReleases(shoal, spaceId, { projectId: Number(project.id), version, take: 1, skip: 0 })).items[0];
    if (!release) throw badRequest(`ReleaseVersion: ${project.name} has no release ${version}`);
    const environments = await environmentsNamed(shoal, spaceId, names);
    const actor = actorOf(req);
    const queued = await unitOfWork(shoal, async (trx) => {
      const out = [];
      for (const env of environments) {
        out.push(await queueDeployment(trx, { actor }, release, formatId('environment', env.id), '', { queueExpiryMs: ctx.config.queueExpiryMs }));
      }
      return out;
    });
    ctx.executor.queueChanged();
    reply.status(201);
    return { DeploymentServerTasks: queued.map((q) => ({ DeploymentId: formatId('deployment', q.id), ServerTaskId: taskId(q.taskId) })) };
  };
}

/** `…/deployments/create/tenanted/v1`: Shoal has no tenants yet. */
export const createTenantedDeploymentV1: OctopusHandler = async () => {
  throw badRequest('Tenanted deployments are not supported: Shoal has no tenants. Deploy without tenants (deployments/create/untenanted/v1).');
};

/** `GET /api/{spaceId}/deployments?ids=…&take=…` to an Octopus client (the deploy-release action joins them to its tasks). */
export function listDeploymentsOctopus(ctx: NodeContext): OctopusHandler {
  return async (req) => {
    const { spaceId } = req.params as SpaceParams;
    const q = octopusQuery(req);
    const ids = q.list('ids')?.map((id) => parseId('deployment', id) ?? -1);
    const page = ids ? { take: Math.max(1, ids.length), skip: 0 } : { take: q.take, skip: q.skip };
    const { items, total } = await listDeployments(ctx.shoal, { spaceId, ids }, page);
    return collection('Deployment', { items: items.map(toOctopusDeployment), total }, q, `/api/${spaceId}/deployments`);
  };
}
