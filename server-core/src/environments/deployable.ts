import { badRequest, forbidden } from '../api/errors.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import type { Actor } from '../resources/actor.js';
import { formatId, parseId } from '../resources/ids.js';
import { findEnvironment, type EnvironmentRow } from './environmentRows.js';

/**
 * The environment a deployment or runbook run names (400 when there is none), after checking
 * that the actor, if a person asks, may deploy there (403); the system (a lifecycle, a
 * trigger) passes no actor.
 */
export async function deployableEnvironment(trx: ShoalDb, spaceId: string, ref: string, actor: Actor | undefined, doing: string): Promise<EnvironmentRow> {
  const id = parseId('environment', ref);
  const env = id === undefined ? undefined : await findEnvironment(trx, spaceId, id);
  if (!env) throw badRequest(`environmentId: there is no environment ${ref} in ${spaceId}`);
  if (actor && !actor.permissions.canDeployTo(formatId('environment', env.id))) {
    throw forbidden(`You may not ${doing} ${env.name}: none of your teams lets you deploy there.`);
  }
  return env;
}
