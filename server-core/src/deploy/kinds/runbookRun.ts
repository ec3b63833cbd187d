import { runbookRunPlan } from '../plan.js';
import { runProcess } from '../runProcess.js';
import type { EngineDeps } from '../stepContext.js';
import { formatId } from '../../resources/ids.js';
import { parseTaskId } from '../../queue/taskRecord.js';
import type { TaskKind } from '../../executor/taskKind.js';

/** Runs a published runbook snapshot in an environment (POST /api/{spaceId}/runbook-runs, or a scheduled trigger). */
export function runbookRunKind(deps: EngineDeps): TaskKind {
  return {
    name: 'RunbookRun',
    permission: 'deploy',

    parseArguments: () => ({ error: 'kind: RunbookRun tasks are queued with POST /api/{spaceId}/runbook-runs or by a trigger' }),

    async run(ctx) {
      const { plan } = await runbookRunPlan(ctx.shoal, parseTaskId(ctx.taskId)!);
      ctx.log.info(`Running the runbook ${plan.system['Shoal.Runbook.Name']} (${plan.system['Shoal.Runbook.Snapshot.Name']}) of ${plan.system['Shoal.Project.Name']} in ${plan.environment.name}`);
      await runProcess(ctx, plan, deps);
    },

    async mayCancel(shoal, task, permissions) {
      const r = await shoal.db.selectFrom('runbook_runs').select('environment_id').where('task_id', '=', task).executeTakeFirst();
      return !!r && permissions.canDeployTo(formatId('environment', r.environment_id));
    },
  };
}
