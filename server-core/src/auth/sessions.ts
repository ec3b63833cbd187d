import { sql } from 'kysely';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { hashToken, newSessionToken } from './tokens.js';
import type { UserRow } from './users.js';

export const SESSION_COOKIE = 'shoal_session';
/** A session ends this long after login, however busy. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** …or after this long unused. */
export const SESSION_IDLE_MS = 2 * 60 * 60 * 1000;
/** Use is recorded at most this often per session, so reads do not each write. */
const TOUCH_EVERY_MS = 60 * 1000;

/** Sessions live in the database so that every node of a cluster honours them. */
export async function createSession({ db, dialect }: ShoalDb, userId: number): Promise<string> {
  const token = newSessionToken();
  const now = dialect.now();
  await db
    .insertInto('sessions')
    .values({ token_hash: hashToken(token), user_id: userId, created_at: now, last_used_at: now, expires_at: sql<number>`${now} + ${SESSION_TTL_MS}` })
    .execute();
  return token;
}

export async function deleteSession({ db }: ShoalDb, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', hashToken(token)).execute();
}

/** The enabled user of a live session (neither past its absolute expiry nor idle too long); records its use. */
export async function userForSession({ db, dialect }: ShoalDb, token: string): Promise<UserRow | undefined> {
  const now = dialect.now();
  const hash = hashToken(token);
  const row = await db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .selectAll('u')
    .select(sql<number>`${now} - coalesce(s.last_used_at, s.created_at)`.as('idle_ms'))
    .where('s.token_hash', '=', hash)
    .where('s.expires_at', '>', now)
    .where('u.disabled', '=', 0)
    .executeTakeFirst();
  if (!row || Number(row.idle_ms) > SESSION_IDLE_MS) return undefined;
  if (Number(row.idle_ms) > TOUCH_EVERY_MS) await db.updateTable('sessions').set({ last_used_at: now }).where('token_hash', '=', hash).execute();
  const { idle_ms: _idle, ...user } = row;
  return user;
}

/** Removes expired and idle sessions; any node may run it. Returns how many. */
export async function purgeSessions({ db, dialect }: ShoalDb): Promise<number> {
  const now = dialect.now();
  const r = await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb(sql`coalesce(last_used_at, created_at)`, '<', sql`${now} - ${SESSION_IDLE_MS}`)]))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Ends every session of a user (disabled, password reset, or on request). */
export async function deleteSessionsOfUser({ db }: ShoalDb, userId: number): Promise<number> {
  const r = await db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

export interface SessionResource {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
}

/** Sessions are named by a prefix of their token's hash: enough to revoke one, useless to log in. */
export async function listSessionsOfUser({ db }: ShoalDb, userId: number): Promise<SessionResource[]> {
  const rows = await db.selectFrom('sessions').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
  return rows.map((s) => ({
    id: `Sessions-${s.token_hash.slice(0, 16)}`,
    createdAt: new Date(Number(s.created_at)).toISOString(),
    lastUsedAt: new Date(Number(s.last_used_at ?? s.created_at)).toISOString(),
    expiresAt: new Date(Number(s.expires_at)).toISOString(),
  }));
}

export async function deleteSessionById({ db }: ShoalDb, userId: number, id: string): Promise<boolean> {
  const prefix = id.replace(/^Sessions-/, '');
  if (!/^[A-Za-z0-9_-]{16}$/.test(prefix)) return false;
  // `_` is a LIKE wildcard and a base64url character: escaped, so one prefix names one session.
  const pattern = `${prefix.replace(/_/g, '\\_')}%`;
  const r = await db
    .deleteFrom('sessions')
    .where('user_id', '=', userId)
    .where(sql<boolean>`token_hash like ${pattern} escape '\\'`)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
