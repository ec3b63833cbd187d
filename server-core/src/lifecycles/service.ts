import { badRequest, conflict } from '../api/errors.js';
import { recordEvent } from '../audit/events.js';
import type { LifecycleBody, Phase } from '../contract/environments.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { insertReturning } from '../db/insertReturning.js';
import { listEnvironments } from '../environments/environmentRows.js';
import type { Actor } from '../resources/actor.js';
import { formatId, missing, nameKey, parseId } from '../resources/ids.js';
import { unitOfWork } from '../resources/shoalTrx.js';
import { namedColumns, saveNamed } from '../resources/namedRows.js';
import { findLifecycle, toLifecycle, type LifecycleRow } from './lifecycleRows.js';

/** Phases with their defaults, after checking every environment exists and sits in one phase only. */
async function normalizePhases(shoal: ShoalDb, spaceId: string, phases: LifecycleBody['phases']): Promise<Phase[] | null> {
  if (phases == null) return null;
  const known = new Set((await listEnvironments(shoal, spaceId)).map((e) => formatId('environment', e.id)));
  const seen = new Map<string, string>();
  const names = new Set<string>();
  return phases.map((p, i) => {
    if (names.has(nameKey(p.name))) throw badRequest(`phases[${i}].name: another phase is already named ${p.name}`);
    names.add(nameKey(p.name));
    const check = (field: 'environmentIds' | 'automaticDeploymentEnvironmentIds') =>
      (p[field] ?? []).map((raw, j) => {
        const n = parseId('environment', raw);
        const id = n === undefined ? raw : formatId('environment', n);
        if (!known.has(id)) throw badRequest(`phases[${i}].${field}[${j}]: there is no environment ${raw} in ${spaceId}`);
        if (seen.has(id)) throw badRequest(`phases[${i}].${field}[${j}]: ${id} is already in the phase ${seen.get(id)}; an environment belongs to one phase`);
        seen.set(id, p.name);
        return id;
      });
    return {
      name: p.name,
      environmentIds: check('environmentIds'),
      automaticDeploymentEnvironmentIds: check('automaticDeploymentEnvironmentIds'),
      minimumEnvironmentsBeforePromotion: p.minimumEnvironmentsBeforePromotion ?? 0,
      isOptional: p.isOptional ?? false,
    };
  });
}

const taken = (name: string) => `A lifecycle named ${name} already exists in this space.`;

export async function createLifecycle(shoal: ShoalDb, actor: Actor, spaceId: string, body: LifecycleBody) {
  return saveNamed(shoal, 'lifecycles', { space: spaceId }, body.name, undefined, taken(body.name), async (trx) => {
    const phases = await normalizePhases(trx, spaceId, body.phases);
    const now = trx.dialect.now();
    const row = await insertReturning(trx, 'lifecycles', {
      ...namedColumns(body.name, body.description),
      space_id: spaceId,
      phases: phases && JSON.stringify(phases),
      is_default: 0,
      created_at: now,
      updated_at: now,
    });
    await recordEvent(trx, { username: actor.username, action: 'lifecycle.create', target: formatId('lifecycle', row.id), details: body, clientIp: actor.clientIp });
    return toLifecycle(row, await listEnvironments(trx, spaceId));
  });
}

export async function updateLifecycle(shoal: ShoalDb, actor: Actor, spaceId: string, id: number, body: LifecycleBody) {
  return saveNamed(shoal, 'lifecycles', { space: spaceId }, body.name, id, taken(body.name), async (trx) => {
    const before = await requireLifecycle(trx, spaceId, id);
    const phases = await normalizePhases(trx, spaceId, body.phases);
    await trx.db
      .updateTable('lifecycles')
      .set({ ...namedColumns(body.name, body.description, before.description), phases: phases && JSON.stringify(phases), updated_at: trx.dialect.now() })
      .where('id', '=', id)
      .execute();
    await recordEvent(trx, { username: actor.username, action: 'lifecycle.update', target: formatId('lifecycle', id), details: body, clientIp: actor.clientIp });
    return toLifecycle((await findLifecycle(trx, spaceId, id))!, await listEnvironments(trx, spaceId));
  });
}

export async function deleteLifecycle(shoal: ShoalDb, actor: Actor, spaceId: string, id: number): Promise<void> {
  await unitOfWork(shoal, async (trx) => {
    const row = await requireLifecycle(trx, spaceId, id);
    if (row.is_default) throw conflict(`${row.name} is the default lifecycle of ${spaceId}; it cannot be deleted.`);
    const user = await trx.db.selectFrom('projects').select('name').where('lifecycle_id', '=', id).executeTakeFirst();
    if (user) throw conflict(`The project ${user.name} uses ${row.name}; give it another lifecycle first.`);
    await trx.db.deleteFrom('lifecycles').where('id', '=', id).execute();
    await recordEvent(trx, { username: actor.username, action: 'lifecycle.delete', target: formatId('lifecycle', id), details: { name: row.name }, clientIp: actor.clientIp });
  });
}

export async function requireLifecycle(shoal: ShoalDb, spaceId: string, id: number): Promise<LifecycleRow> {
  const row = await findLifecycle(shoal, spaceId, id);
  if (!row) throw missing('lifecycle', id, spaceId);
  return row;
}
