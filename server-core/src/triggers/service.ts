import { sql, type Selectable } from 'kysely';
import { badRequest } from '../api/errors.js';
import { recordEvent } from '../audit/events.js';
import type { TriggerBody } from '../contract/runbooks.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import type { TriggersTable } from '../db/schema.js';
import { insertReturning } from '../db/insertReturning.js';
import { knownIds } from '../projects/knownIds.js';
import { requireProject, type ProjectDeps } from '../projects/service.js';
import type { Actor } from '../resources/actor.js';
import { formatId, iso, missing, parseId } from '../resources/ids.js';
import { unitOfWork } from '../resources/shoalTrx.js';
import { namedColumns, saveNamed } from '../resources/namedRows.js';
import { nextDue, ScheduleError } from './schedule.js';

type TriggerRow = Selectable<TriggersTable>;
const NEVER = 8_640_000_000_000_000;

export async function toTrigger({ db }: ShoalDb, t: TriggerRow) {
  const firings = await db.selectFrom('trigger_firings').selectAll().where('trigger_id', '=', t.id).orderBy('due_at', 'desc').limit(20).execute();
  return {
    id: formatId('trigger', t.id),
    projectId: formatId('project', t.project_id),
    runbookId: formatId('runbook', t.runbook_id),
    name: t.name,
    cron: t.cron,
    timeZone: t.time_zone,
    environmentIds: JSON.parse(t.environment_ids) as string[],
    isDisabled: !!t.disabled,
    nextDueAt: iso(Math.min(Number(t.next_due_at), NEVER))!,
    recentFirings: firings.map((f) => ({
      dueAt: iso(f.due_at)!,
      firedAt: iso(f.fired_at)!,
      nodeName: f.node_name,
      outcome: f.outcome,
      message: f.message,
      taskIds: (JSON.parse(f.task_ids) as number[]).map((n) => `ServerTasks-${n}`),
    })),
  };
}

export async function requireTrigger({ db }: ShoalDb, spaceId: string, projectId: number, id: number): Promise<TriggerRow> {
  const row = await db.selectFrom('triggers').selectAll().where('space_id', '=', spaceId).where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
  if (!row) throw missing('trigger', id, spaceId);
  return row;
}

const takenMessage = (name: string) => `The project already has a trigger named ${name}.`;

/** Creates or changes a scheduled trigger; its next due time is computed from the database clock. */
export async function saveTrigger({ shoal }: ProjectDeps, actor: Actor, spaceId: string, projectId: number, id: number | undefined, body: TriggerBody) {
  const timeZone = body.timeZone ?? 'UTC';
  return saveNamed(shoal, 'triggers', { project: projectId }, body.name, id, takenMessage(body.name), async (trx) => {
      await requireProject(trx, spaceId, projectId);
      const runbookId = parseId('runbook', body.runbookId);
      const runbook = runbookId === undefined ? undefined : await trx.db.selectFrom('runbooks').select('id').where('project_id', '=', projectId).where('id', '=', runbookId).executeTakeFirst();
      if (!runbook) throw badRequest(`runbookId: the project has no runbook ${body.runbookId}`);
      const known = (await knownIds(trx, spaceId)).environments;
      const environmentIds = body.environmentIds.map((raw, i) => {
        const n = parseId('environment', raw);
        const text = n === undefined ? raw : formatId('environment', n);
        if (!known.has(text)) throw badRequest(`environmentIds[${i}]: there is no environment ${raw} in ${spaceId}`);
        return text;
      });
      const now = Number((await sql<{ now: number }>`select ${trx.dialect.now()} as now`.execute(trx.db)).rows[0]!.now);
      let next: number;
      try {
        next = nextDue(body.cron, timeZone, now) ?? NEVER;
      } catch (err) {
        if (err instanceof ScheduleError) throw badRequest(err.message);
        throw err;
      }
      const values = {
        ...namedColumns(body.name, undefined),
        runbook_id: runbookId!,
        cron: body.cron.trim(),
        time_zone: timeZone,
        environment_ids: JSON.stringify(environmentIds),
        disabled: body.isDisabled ? 1 : 0,
        next_due_at: next,
        updated_at: now,
      };
      let row: TriggerRow;
      if (id === undefined) row = await insertReturning(trx, 'triggers', { ...values, space_id: spaceId, project_id: projectId, created_at: now });
      else {
        await requireTrigger(trx, spaceId, projectId, id);
        await trx.db.updateTable('triggers').set(values).where('id', '=', id).execute();
        row = await requireTrigger(trx, spaceId, projectId, id);
      }
      await recordEvent(trx, { username: actor.username, action: id === undefined ? 'trigger.create' : 'trigger.update', target: formatId('trigger', row.id), details: body, clientIp: actor.clientIp });
      return toTrigger(trx, row);
  });
}

export async function deleteTrigger({ shoal }: ProjectDeps, actor: Actor, spaceId: string, projectId: number, id: number): Promise<void> {
  await unitOfWork(shoal, async (trx) => {
    const row = await requireTrigger(trx, spaceId, projectId, id);
    await trx.db.deleteFrom('trigger_firings').where('trigger_id', '=', id).execute();
    await trx.db.deleteFrom('triggers').where('id', '=', id).execute();
    await recordEvent(trx, { username: actor.username, action: 'trigger.delete', target: formatId('trigger', id), details: { name: row.name }, clientIp: actor.clientIp });
  });
}
