import crypto from 'node:crypto';
import { badRequest, conflict, forbidden, unauthorized } from '../api/errors.js';
import { recordEvent } from '../audit/events.js';
import type { RegistrationTokenBody, TargetRegistrationBody, TargetUpdateBody } from '../contract/targets.js';
import { databaseNow } from '../db/databaseNow.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { insertReturning } from '../db/insertReturning.js';
import type { Actor } from '../resources/actor.js';
import { formatId, iso, missing, nameKey, parseId } from '../resources/ids.js';
import { namedColumns, saveNamed } from '../resources/namedRows.js';
import { unitOfWork } from '../resources/shoalTrx.js';
import { findTarget, toTarget } from './targetRows.js';

const DEFAULT_TOKEN_MINUTES = 60;
const taken = (name: string) => `A deployment target named ${name} already exists in this space.`;
const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');
const uniqueRoles = (roles: string[]) => [...new Map(roles.map((r) => [r.trim().toLowerCase(), r.trim()])).values()];

/** Environment keys of ids or names (`Environments-1` or `Production`); 400 naming the first unknown one. */
async function environmentKeys({ db }: ShoalDb, spaceId: string, refs: string[], field: string): Promise<number[]> {
  if (!refs.length) throw badRequest(`${field}: at least one environment is needed.`);
  const all = await db.selectFrom('environments').select(['id', 'name_key']).where('space_id', '=', spaceId).execute();
  return [
    ...new Set(
      refs.map((ref) => {
        const byId = parseId('environment', ref);
        const hit = all.find((e) => (byId !== undefined && Number(e.id) === byId) || e.name_key === nameKey(ref));
        if (!hit) throw badRequest(`${field}: there is no environment ${ref} in ${spaceId}.`);
        return Number(hit.id);
      }),
    ),
  ];
}

/**
 * A token scoped to environments and roles, good for one registration until it expires;
 * only its hash is kept.
 */
export async function createRegistrationToken(shoal: ShoalDb, actor: Actor, spaceId: string, body: RegistrationTokenBody) {
  const environments = await environmentKeys(shoal, spaceId, body.environmentIds, 'environmentIds');
  const roles = uniqueRoles(body.roles);
  if (!roles.length) throw badRequest('roles: at least one role is needed.');
  const token = `shoal-reg-${crypto.randomBytes(24).toString('base64url')}`;
  return unitOfWork(shoal, async (trx) => {
    const now = await databaseNow(trx);
    const expiresAt = now + (body.expiresInMinutes ?? DEFAULT_TOKEN_MINUTES) * 60_000;
    await trx.db
      .insertInto('target_registration_tokens')
      .values({ token_hash: hashToken(token), space_id: spaceId, environment_ids: JSON.stringify(environments), roles: JSON.stringify(roles), expires_at: expiresAt, used_at: null, created_by: actor.username, created_at: now })
      .execute();
    await recordEvent(trx, { username: actor.username, action: 'target.registration-token.create', target: spaceId, details: { environmentIds: body.environmentIds, roles, expiresAt: iso(expiresAt) }, clientIp: actor.clientIp });
    return { token, expiresAt: iso(expiresAt)!, environmentIds: environments.map((e) => formatId('environment', e)), roles };
  });
}

/**
 * A registration token that can still be spent in this space, or a 401 saying whether it is
 * unknown, used or expired. The anonymous registration route asks this before anything else,
 * so that without a valid token it tells nothing about spaces, environments or target names.
 */
export async function checkRegistrationToken(db: ShoalDb, spaceId: string, token: unknown) {
  const row =
    typeof token === 'string' && token
      ? await db.db.selectFrom('target_registration_tokens').selectAll().select(db.dialect.now().as('now')).where('token_hash', '=', hashToken(token)).executeTakeFirst()
      : undefined;
  if (!row || row.space_id !== spaceId) throw unauthorized('This registration token is not valid.');
  if (row.used_at !== null) throw unauthorized('This registration token has already been used; a token registers one agent. Create a new one.');
  if (Number(row.expires_at) <= Number(row.now)) throw unauthorized(`This registration token expired at ${iso(row.expires_at)}. Create a new one.`);
  return row;
}

/** Takes a token for one registration: 401 saying whether it is unknown, used or expired; 403 when the agent asks beyond its scope. */
async function spendToken(trx: ShoalDb, spaceId: string, token: string, environments: number[], roles: string[]): Promise<string> {
  const hash = hashToken(token);
  const row = await checkRegistrationToken(trx, spaceId, token);
  const allowedEnvs = new Set(JSON.parse(row.environment_ids) as number[]);
  const allowedRoles = new Set((JSON.parse(row.roles) as string[]).map((r) => r.toLowerCase()));
  const env = environments.find((e) => !allowedEnvs.has(e));
  if (env !== undefined) throw forbidden(`This registration token does not allow the environment ${formatId('environment', env)}.`);
  const role = roles.find((r) => !allowedRoles.has(r.toLowerCase()));
  if (role !== undefined) throw forbidden(`This registration token does not allow the role ${role}.`);
  // Spent in the registration's transaction, guarded: of two racing registrations one wins.
  const spent = await trx.db.updateTable('target_registration_tokens').set({ used_at: trx.dialect.now() }).where('token_hash', '=', hash).where('used_at', 'is', null).executeTakeFirst();
  if (Number(spent.numUpdatedRows) !== 1) throw unauthorized('This registration token has already been used; a token registers one agent. Create a new one.');
  return row.created_by;
}

/**
 * Registers an agent by its certificate's thumbprint: with an administrator's credentials
 * (`actor`) or a one-time token. A thumbprint already registered is a 409: one certificate,
 * one target.
 */
export async function registerTarget(shoal: ShoalDb, who: { actor: Actor } | { token: string; clientIp?: string }, spaceId: string, body: TargetRegistrationBody) {
  const environments = await environmentKeys(shoal, spaceId, body.environmentIds, 'environmentIds');
  const roles = uniqueRoles(body.roles);
  if (!roles.length) throw badRequest('roles: at least one role is needed.');
  const thumbprint = body.thumbprint.toUpperCase();
  const mode = body.mode ?? 'Polling';
  if (mode === 'Listening' && !body.address) throw badRequest('address: a listening agent needs the address nodes dial (https://host:port).');
  if (mode === 'Polling' && body.address) throw badRequest('address: only a listening agent has an address; a polling agent connects to the cluster.');
  return saveNamed(shoal, 'targets', { space: spaceId }, body.name, undefined, taken(body.name), async (trx) => {
    const username = 'actor' in who ? who.actor.username : `registration token of ${await spendToken(trx, spaceId, who.token, environments, roles)}`;
    const same = await trx.db.selectFrom('targets').select(['id', 'name']).where('thumbprint', '=', thumbprint).executeTakeFirst();
    if (same) throw conflict(`An agent with the certificate ${thumbprint} is already registered as ${same.name} (${formatId('target', same.id)}).`);
    const now = trx.dialect.now();
    const row = await insertReturning(trx, 'targets', {
      ...namedColumns(body.name, undefined),
      space_id: spaceId,
      mode,
      address: body.address?.replace(/\/+$/, '') ?? null,
      environment_ids: JSON.stringify(environments),
      roles: JSON.stringify(roles),
      thumbprint,
      status: 'Unknown',
      status_summary: mode === 'Listening' ? 'Registered; no node has reached the agent yet.' : 'Registered; the agent has not connected yet.',
      first_contact: null,
      last_contact: null,
      last_health_check: null,
      agent_version: null,
      os: null,
      created_at: now,
      updated_at: now,
    });
    await recordEvent(trx, { username, action: 'target.register', target: formatId('target', row.id), details: { name: body.name, mode, ...(body.address ? { address: body.address } : {}), environments: body.environmentIds, roles, thumbprint }, clientIp: 'actor' in who ? who.actor.clientIp : who.clientIp });
    return toTarget((await findTarget(trx, spaceId, Number(row.id)))!);
  });
}

export async function updateTarget(shoal: ShoalDb, actor: Actor, spaceId: string, id: number, body: TargetUpdateBody) {
  const environments = await environmentKeys(shoal, spaceId, body.environmentIds, 'environmentIds');
  return saveNamed(shoal, 'targets', { space: spaceId }, body.name, id, taken(body.name), async (trx) => {
    const before = await findTarget(trx, spaceId, id);
    if (!before) throw missing('target', id, spaceId);
    await trx.db
      .updateTable('targets')
      .set({ name: body.name.trim(), name_key: nameKey(body.name), environment_ids: JSON.stringify(environments), roles: JSON.stringify(uniqueRoles(body.roles)), is_disabled: body.isDisabled ? 1 : 0, updated_at: trx.dialect.now() })
      .where('id', '=', id)
      .execute();
    await recordEvent(trx, { username: actor.username, action: 'target.update', target: formatId('target', id), details: body, clientIp: actor.clientIp });
    return toTarget((await findTarget(trx, spaceId, id))!);
  });
}

/** Removes the target: its certificate is refused on the comms port from then on; its pending work fails. */
export async function deleteTarget(shoal: ShoalDb, actor: Actor, spaceId: string, id: number): Promise<void> {
  await unitOfWork(shoal, async (trx) => {
    const t = await findTarget(trx, spaceId, id);
    if (!t) throw missing('target', id, spaceId);
    await trx.db.updateTable('agent_work').set({ state: 'Failed', error: `The target ${t.name} was deleted.`, ended_at: trx.dialect.now() }).where('target_id', '=', id).where('state', 'in', ['Pending', 'Running']).execute();
    await trx.db.deleteFrom('targets').where('id', '=', id).execute();
    await recordEvent(trx, { username: actor.username, action: 'target.delete', target: formatId('target', id), details: { name: t.name, thumbprint: t.thumbprint }, clientIp: actor.clientIp });
  });
}
