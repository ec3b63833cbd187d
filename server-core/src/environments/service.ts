import { conflict } from '../api/errors.js';
import { recordEvent } from '../audit/events.js';
import type { EnvironmentBody } from '../contract/environments.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { insertReturning } from '../db/insertReturning.js';
import type { Actor } from '../resources/actor.js';
import { formatId, missing, parseId } from '../resources/ids.js';
import { namedColumns, saveNamed } from '../resources/namedRows.js';
import { unitOfWork } from '../resources/shoalTrx.js';
import { findEnvironment, listEnvironments, toEnvironment, type EnvironmentRow } from './environmentRows.js';

const taken = (name: string) => `An environment named ${name} already exists in this space.`;

export async function createEnvironment(shoal: ShoalDb, actor: Actor, spaceId: string, body: EnvironmentBody) {
  return saveNamed(shoal, 'environments', { space: spaceId }, body.name, undefined, taken(body.name), async (trx) => {
    const all = await listEnvironments(trx, spaceId);
    const now = trx.dialect.now();
    const row = await insertReturning(trx, 'environments', {
      ...namedColumns(body.name, body.description),
      space_id: spaceId,
      sort_order: body.sortOrder ?? all.reduce((m, e) => Math.max(m, Number(e.sort_order) + 1), 0),
      created_at: now,
      updated_at: now,
    });
    await recordEvent(trx, { username: actor.username, action: 'environment.create', target: formatId('environment', row.id), details: body, clientIp: actor.clientIp });
    return toEnvironment(row);
  });
}

export async function updateEnvironment(shoal: ShoalDb, actor: Actor, spaceId: string, id: number, body: EnvironmentBody) {
  return saveNamed(shoal, 'environments', { space: spaceId }, body.name, id, taken(body.name), async (trx) => {
    const before = await requireEnvironment(trx, spaceId, id);
    await trx.db
      .updateTable('environments')
      .set({ ...namedColumns(body.name, body.description, before.description), sort_order: body.sortOrder ?? before.sort_order, updated_at: trx.dialect.now() })
      .where('id', '=', id)
      .execute();
    await recordEvent(trx, { username: actor.username, action: 'environment.update', target: formatId('environment', id), details: body, clientIp: actor.clientIp });
    return toEnvironment((await findEnvironment(trx, spaceId, id))!);
  });
}

/** Refused while deployments, runbook runs, lifecycles or triggers refer to it. */
export async function deleteEnvironment(shoal: ShoalDb, actor: Actor, spaceId: string, id: number): Promise<void> {
  await unitOfWork(shoal, async (trx) => {
    const env = await requireEnvironment(trx, spaceId, id);
    const used = await trx.db.selectFrom('deployments').select('id').where('environment_id', '=', id).executeTakeFirst();
    const ran = await trx.db.selectFrom('runbook_runs').select('id').where('environment_id', '=', id).executeTakeFirst();
    if (used || ran) throw conflict(`${env.name} has deployments or runbook runs; it cannot be deleted.`);
    const textId = formatId('environment', id);
    const lifecycles = await trx.db.selectFrom('lifecycles').select(['name', 'phases']).where('space_id', '=', spaceId).execute();
    const inLifecycle = lifecycles.find((l) => l.phases && l.phases.includes(`"${textId}"`));
    if (inLifecycle) throw conflict(`${env.name} is in a phase of the lifecycle ${inLifecycle.name}; take it out first.`);
    const triggers = await trx.db.selectFrom('triggers').select(['name', 'environment_ids']).where('space_id', '=', spaceId).execute();
    const trigger = triggers.find((t) => (JSON.parse(t.environment_ids) as string[]).includes(textId));
    if (trigger) throw conflict(`${env.name} is an environment of the trigger ${trigger.name}; take it out first.`);
    await trx.db.deleteFrom('environments').where('id', '=', id).execute();
    await recordEvent(trx, { username: actor.username, action: 'environment.delete', target: textId, details: { name: env.name }, clientIp: actor.clientIp });
  });
}

/** Puts every environment of the space in the given order. */
export async function reorderEnvironments(shoal: ShoalDb, actor: Actor, spaceId: string, ids: string[]) {
  return unitOfWork(shoal, async (trx) => {
    const all = await listEnvironments(trx, spaceId);
    const wanted = ids.map((t) => parseId('environment', t));
    const known = new Set(all.map((e) => Number(e.id)));
    const unknown = ids.find((t, i) => wanted[i] === undefined || !known.has(wanted[i]!));
    if (unknown !== undefined) throw missing('environment', unknown, spaceId);
    if (wanted.length !== all.length) throw conflict(`environmentIds must list every environment of ${spaceId} (${all.length}), not ${wanted.length}.`);
    for (const [i, id] of wanted.entries()) await trx.db.updateTable('environments').set({ sort_order: i, updated_at: trx.dialect.now() }).where('id', '=', id!).execute();
    await recordEvent(trx, { username: actor.username, action: 'environment.reorder', target: spaceId, details: { environmentIds: ids }, clientIp: actor.clientIp });
    return (await listEnvironments(trx, spaceId)).map(toEnvironment);
  });
}

export async function requireEnvironment(shoal: ShoalDb, spaceId: string, id: number): Promise<EnvironmentRow> {
  const env = await findEnvironment(shoal, spaceId, id);
  if (!env) throw missing('environment', id, spaceId);
  return env;
}
