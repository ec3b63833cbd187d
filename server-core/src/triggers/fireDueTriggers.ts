import { sql } from 'kysely';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { insertReturning } from '../db/insertReturning.js';
import { queueRunbookRun } from '../runbooks/service.js';
import { formatId } from '../resources/ids.js';
import { unitOfWork } from '../resources/shoalTrx.js';
import { nextDue } from './schedule.js';
import { UNFINISHED_STATES } from '../queue/states.js';

/** Far enough ahead to mean "never" for a schedule with no further due time. */
const NEVER = 8_640_000_000_000_000;

export interface Firing {
  triggerId: number;
  dueAt: number;
  outcome: 'Queued' | 'Skipped';
  message: string;
  taskIds: number[];
}

/**
 * Fires the triggers that are due, on whichever node calls first. For each, one transaction
 * moves `next_due_at` to the first due time after now — only if it still holds the value this
 * node read, so of several nodes exactly one wins — and records the firing (unique per due
 * time). A trigger missed while every node was down fires once, for its oldest missed due
 * time, then moves past now. The run is skipped, and the firing says why, while the
 * trigger's previous run is still queued or running.
 */
export async function fireDueTriggers(shoal: ShoalDb, nodeName: string, o: { queueExpiryMs?: number } = {}): Promise<Firing[]> {
  const nowRow = await sql<{ now: number }>`select ${shoal.dialect.now()} as now`.execute(shoal.db);
  const now = Number(nowRow.rows[0]!.now);
  const due = await shoal.db.selectFrom('triggers').selectAll().where('disabled', '=', 0).where('next_due_at', '<=', now).orderBy('next_due_at').limit(100).execute();
  const fired: Firing[] = [];
  for (const t of due) {
    const dueAt = Number(t.next_due_at);
    const firing = await unitOfWork(shoal, async (trx): Promise<Firing | undefined> => {
      const next = nextDue(t.cron, t.time_zone, Math.max(now, dueAt)) ?? NEVER;
      const moved = await trx.db.updateTable('triggers').set({ next_due_at: next }).where('id', '=', t.id).where('next_due_at', '=', dueAt).executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) return undefined; // another node fired it
      const previous = await trx.db
        .selectFrom('runbook_runs as x')
        .innerJoin('tasks as k', 'k.id', 'x.task_id')
        .select(['k.id', 'k.state'])
        .where('x.trigger_id', '=', t.id)
        .where('k.state', 'in', UNFINISHED_STATES)
        .orderBy('k.id')
        .executeTakeFirst();
      let result: Firing;
      if (previous) {
        result = { triggerId: Number(t.id), dueAt, outcome: 'Skipped', message: `Skipped: the previous run (ServerTasks-${previous.id}) is still ${previous.state}.`, taskIds: [] };
      } else {
        const runbook = await trx.db.selectFrom('runbooks').selectAll().where('id', '=', t.runbook_id).executeTakeFirstOrThrow();
        const taskIds: number[] = [];
        for (const env of JSON.parse(t.environment_ids) as string[]) {
          taskIds.push((await queueRunbookRun(trx, { trigger: { id: Number(t.id), name: t.name } }, runbook, env, undefined, o)).taskId);
        }
        result = { triggerId: Number(t.id), dueAt, outcome: 'Queued', message: `Queued ${taskIds.map((n) => `ServerTasks-${n}`).join(', ')}.`, taskIds };
      }
      await insertReturning(trx, 'trigger_firings', {
        trigger_id: Number(t.id),
        due_at: dueAt,
        fired_at: trx.dialect.now(),
        node_name: nodeName,
        outcome: result.outcome,
        message: result.message,
        task_ids: JSON.stringify(result.taskIds),
      });
      return result;
    }).catch((err: Error) => {
      // A trigger that cannot run (its runbook unpublished, an environment gone) is recorded and moved on.
      return recordFailure(shoal, Number(t.id), dueAt, now, t.cron, t.time_zone, nodeName, err);
    });
    if (firing) fired.push(firing);
  }
  return fired;
}

async function recordFailure(shoal: ShoalDb, id: number, dueAt: number, now: number, cron: string, timeZone: string, nodeName: string, err: Error): Promise<Firing | undefined> {
  return unitOfWork(shoal, async (trx) => {
    const next = nextDue(cron, timeZone, Math.max(now, dueAt)) ?? NEVER;
    const moved = await trx.db.updateTable('triggers').set({ next_due_at: next }).where('id', '=', id).where('next_due_at', '=', dueAt).executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) return undefined;
    const message = `Not run: ${err.message}`.slice(0, 2000);
    await insertReturning(trx, 'trigger_firings', { trigger_id: id, due_at: dueAt, fired_at: trx.dialect.now(), node_name: nodeName, outcome: 'Skipped', message, task_ids: '[]' });
    return { triggerId: id, dueAt, outcome: 'Skipped' as const, message, taskIds: [] };
  }).catch(() => undefined);
}

export const triggerName = (id: number) => formatId('trigger', id);
