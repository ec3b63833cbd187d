import { sql } from 'kysely';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { hashToken, newSessionToken } from './tokens.js';
import type { UserRow } from './users.js';

export const SESSION_COOKIE = 'shoal_session';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** Sessions live in the database so that every node of a cluster honours them. */
export async function createSession({ db, dialect }: ShoalDb, userId: number): Promise<string> {
  const token = newSessionToken();
  const now = dialect.now();
  await db
    .insertInto('sessions')
    .values({ token_hash: hashToken(token), user_id: userId, created_at: now, expires_at: sql<number>`${now} + ${SESSION_TTL_MS}` })
    .execute();
  return token;
}

export async function deleteSession({ db }: ShoalDb, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', hashToken(token)).execute();
}

export async function userForSession({ db, dialect }: ShoalDb, token: string): Promise<UserRow | undefined> {
  return db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .selectAll('u')
    .where('s.token_hash', '=', hashToken(token))
    .where('s.expires_at', '>', dialect.now())
    .executeTakeFirst();
}
