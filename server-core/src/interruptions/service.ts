import type { Selectable } from 'kysely';
import { conflict, forbidden } from '../api/errors.js';
import { recordEvent } from '../audit/events.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import type { InterruptionsTable } from '../db/schema.js';
import { taskId } from '../queue/taskRecord.js';
import type { Actor } from '../resources/actor.js';
import { formatId, iso, missing } from '../resources/ids.js';
import { unitOfWork } from '../resources/shoalTrx.js';

type InterruptionRow = Selectable<InterruptionsTable>;

/** The caller's teams, as API ids. */
async function teamsOf({ db }: ShoalDb, userId: number): Promise<string[]> {
  return (await db.selectFrom('team_members').select('team_id').where('user_id', '=', userId).execute()).map((t) => `Teams-${Number(t.team_id)}`);
}

/**
 * Who may approve or abort: someone who may deploy to the environment, and, when the step
 * names responsible teams, a member of one of them; administrators always.
 */
function refusal(row: InterruptionRow, actor: Actor, teams: string[]): string | null {
  if (actor.permissions.isAdmin) return null;
  const env = formatId('environment', row.environment_id);
  if (!actor.permissions.canDeployTo(env)) return 'Approving or aborting a manual intervention needs the right to deploy to its environment.';
  const responsible = JSON.parse(row.responsible_team_ids) as string[];
  if (responsible.length && !responsible.some((t) => teams.includes(t))) return `Only members of ${responsible.join(', ')} may approve or abort this manual intervention.`;
  return null;
}

const toInterruption = (r: InterruptionRow, canSubmit: boolean) => ({
  id: formatId('interruption', r.id),
  spaceId: r.space_id,
  taskId: taskId(Number(r.task_id)),
  environmentId: formatId('environment', r.environment_id),
  title: r.title,
  instructions: r.instructions,
  responsibleTeamIds: JSON.parse(r.responsible_team_ids) as string[],
  state: r.state,
  notes: r.notes,
  submittedBy: r.submitted_by,
  submittedAt: iso(r.submitted_at),
  createdAt: iso(r.created_at)!,
  canSubmit: r.state === 'Pending' && canSubmit,
});

export async function listInterruptions(shoal: ShoalDb, actor: Actor, spaceId: string, q: { pendingOnly: boolean; taskId?: number }) {
  let query = shoal.db.selectFrom('interruptions').selectAll().where('space_id', '=', spaceId);
  if (q.pendingOnly) query = query.where('state', '=', 'Pending');
  if (q.taskId !== undefined) query = query.where('task_id', '=', q.taskId);
  const rows = await query.orderBy('id', 'desc').limit(500).execute();
  const teams = await teamsOf(shoal, actor.userId);
  return rows.map((r) => toInterruption(r, refusal(r, actor, teams) === null));
}

async function requireInterruption({ db }: ShoalDb, spaceId: string, id: number): Promise<InterruptionRow> {
  const row = await db.selectFrom('interruptions').selectAll().where('space_id', '=', spaceId).where('id', '=', id).executeTakeFirst();
  if (!row) throw missing('interruption', id, spaceId);
  return row;
}

export async function getInterruption(shoal: ShoalDb, actor: Actor, spaceId: string, id: number) {
  const row = await requireInterruption(shoal, spaceId, id);
  return toInterruption(row, refusal(row, actor, await teamsOf(shoal, actor.userId)) === null);
}

/** Proceed or Abort, once: the waiting task sees it within half a second. Recorded in the audit log. */
export async function submitInterruption(shoal: ShoalDb, actor: Actor, spaceId: string, id: number, result: 'Proceed' | 'Abort', notes: string | undefined) {
  return unitOfWork(shoal, async (trx) => {
    const row = await requireInterruption(trx, spaceId, id);
    const why = refusal(row, actor, await teamsOf(trx, actor.userId));
    if (why) throw forbidden(why);
    const done = await trx.db
      .updateTable('interruptions')
      .set({ state: result, notes: notes ?? null, submitted_by: actor.username, submitted_at: trx.dialect.now() })
      .where('id', '=', id)
      .where('state', '=', 'Pending')
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) !== 1) throw conflict(`${formatId('interruption', id)} is no longer pending (${row.state}${row.submitted_by ? ` by ${row.submitted_by}` : ''}).`);
    await recordEvent(trx, {
      username: actor.username,
      action: `interruption.${result.toLowerCase()}`,
      target: formatId('interruption', id),
      details: { task: taskId(Number(row.task_id)), title: row.title, result, notes: notes ?? null },
      clientIp: actor.clientIp,
    });
    return toInterruption((await requireInterruption(trx, spaceId, id))!, false);
  });
}
