import type { ShoalDb } from '../../db/dialects/dialect.js';
import { insertReturning } from '../../db/insertReturning.js';
import { formatId } from '../../resources/ids.js';
import type { StepContext } from '../stepContext.js';

const POLL_MS = 500;

async function endWaiting({ db }: ShoalDb, id: number): Promise<void> {
  await db.updateTable('interruptions').set({ state: 'Canceled' }).where('id', '=', id).where('state', '=', 'Pending').execute();
}

/**
 * ManualIntervention: records a pending interruption and waits until a permitted user
 * submits Proceed (the step succeeds) or Abort (it fails with their notes). The task's
 * cancel ends the wait too.
 */
export async function manualIntervention(s: StepContext): Promise<void> {
  const { shoal, signal } = s.task;
  const instructions = s.substitute(String(s.step.properties.instructions ?? ''));
  const teams = (s.step.properties.responsibleTeamIds as string[] | undefined) ?? [];
  const row = await insertReturning(shoal, 'interruptions', {
    space_id: s.plan.spaceId,
    task_id: Number(s.task.taskId.replace(/^ServerTasks-/, '')),
    activity_id: s.activityId,
    environment_id: s.plan.environment.key,
    title: `${s.step.name} (${s.plan.environment.name})`.slice(0, 400),
    instructions,
    responsible_team_ids: JSON.stringify(teams),
    state: 'Pending',
    notes: null,
    submitted_by: null,
    submitted_at: null,
    created_at: shoal.dialect.now(),
  });
  const id = Number(row.id);
  const name = formatId('interruption', id);
  s.log.info(`Waiting for a manual intervention (${name})${teams.length ? ` by ${teams.join(', ')}` : ''}: ${instructions || s.step.name}`);
  s.log.info(`Approve or abort it in the portal, or with POST /api/${s.plan.spaceId}/interruptions/${name}/submit {"result":"Proceed"|"Abort","notes":"…"}.`);
  try {
    for (;;) {
      if (signal.aborted) throw signal.reason ?? new Error('canceled');
      const now = await shoal.db.selectFrom('interruptions').select(['state', 'submitted_by', 'notes']).where('id', '=', id).executeTakeFirstOrThrow();
      if (now.state === 'Proceed') {
        s.log.info(`${now.submitted_by} chose Proceed${now.notes ? `: ${now.notes}` : '.'}`);
        return;
      }
      if (now.state === 'Abort') throw new Error(`Aborted by ${now.submitted_by}${now.notes ? `: ${now.notes}` : '.'}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, POLL_MS);
        signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
      });
    }
  } finally {
    await endWaiting(shoal, id).catch(() => {});
  }
}
