import { queueAutomaticDeployments } from '../../deployments/service.js';
import { deploymentPlan } from '../plan.js';
import { runProcess } from '../runProcess.js';
import type { EngineDeps } from '../stepContext.js';
import { formatId } from '../../resources/ids.js';
import { unitOfWork } from '../../resources/shoalTrx.js';
import { parseTaskId, taskId } from '../../queue/taskRecord.js';
import type { TaskKind } from '../../executor/taskKind.js';

/**
 * Deploys a release to an environment (queued by POST /api/{spaceId}/deployments with the
 * concurrency tag project+environment). When every step succeeded, it queues the deployments
 * the lifecycle makes automatic next.
 */
export function deploymentKind(deps: EngineDeps & { queueExpiryMs?: number }): TaskKind {
  return {
    name: 'Deployment',
    permission: 'deploy',

    parseArguments: () => ({ error: 'kind: Deployment tasks are queued with POST /api/{spaceId}/deployments (or a promotion or redeployment), which check the lifecycle' }),

    async run(ctx) {
      const { plan, deployment } = await deploymentPlan(ctx.shoal, parseTaskId(ctx.taskId)!);
      ctx.log.info(`Deploying ${plan.system['Shoal.Project.Name']} release ${plan.system['Shoal.Release.Number']} to ${plan.environment.name} (${plan.system['Shoal.Deployment.Id']})`);
      await runProcess(ctx, plan, deps);
      try {
        const queued = await unitOfWork(ctx.shoal, async (trx) => {
          const release = await trx.db.selectFrom('releases').selectAll().where('id', '=', deployment.release_id).executeTakeFirstOrThrow();
          return queueAutomaticDeployments(trx, release, deployment.created_by ?? 'system', { alsoSucceeded: plan.environment.id, queueExpiryMs: deps.queueExpiryMs });
        });
        if (queued.length) ctx.log.info(`The lifecycle queued automatic deployments: ${queued.map((n) => taskId(n)).join(', ')}.`);
      } catch (err) {
        ctx.log.error(`The automatic deployments after this one could not be queued: ${(err as Error).message}`);
      }
    },

    async mayCancel(shoal, task, permissions) {
      const d = await shoal.db.selectFrom('deployments').select('environment_id').where('task_id', '=', task).executeTakeFirst();
      return !!d && permissions.canDeployTo(formatId('environment', d.environment_id));
    },
  };
}
