import type { Selectable } from 'kysely';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { insertReturning } from '../db/insertReturning.js';
import type { ApiKeysTable } from '../db/schema.js';
import { hashToken, newApiKey } from './tokens.js';
import type { UserRow } from './users.js';

export type ApiKeyRow = Selectable<ApiKeysTable>;

export interface ApiKeyResource {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  readOnly: boolean;
  revoked: boolean;
}

const iso = (ms: number | null) => (ms == null ? null : new Date(Number(ms)).toISOString());

export const toApiKeyResource = (k: ApiKeyRow): ApiKeyResource => ({
  id: `ApiKeys-${k.id}`,
  name: k.name,
  prefix: k.key_prefix,
  createdAt: iso(k.created_at)!,
  expiresAt: iso(k.expires_at),
  readOnly: !!k.read_only,
  revoked: k.revoked_at != null,
});

export interface NewApiKey {
  name: string;
  /** Epoch ms; absent: the key does not expire. */
  expiresAt?: number;
  /** The key may only read, whatever its user may do. */
  readOnly?: boolean;
}

/** Returns the key itself (shown once) and its stored record. */
export async function createApiKey(shoal: ShoalDb, userId: number, k: NewApiKey | string): Promise<{ key: string; row: ApiKeyRow }> {
  const o = typeof k === 'string' ? { name: k } : k;
  const key = newApiKey();
  const row = await insertReturning(shoal, 'api_keys', {
    user_id: userId,
    name: o.name,
    key_hash: hashToken(key),
    key_prefix: key.slice(0, 8),
    created_at: shoal.dialect.now(),
    revoked_at: null,
    expires_at: o.expiresAt ?? null,
    read_only: o.readOnly ? 1 : 0,
  });
  return { key, row };
}

/** The enabled user of a key that is neither revoked nor expired, and whether the key is read-only. */
export async function userForApiKey({ db, dialect }: ShoalDb, key: string): Promise<{ user: UserRow; readOnly: boolean } | undefined> {
  const row = await db
    .selectFrom('api_keys as k')
    .innerJoin('users as u', 'u.id', 'k.user_id')
    .selectAll('u')
    .select('k.read_only as key_read_only')
    .where('k.key_hash', '=', hashToken(key))
    .where('k.revoked_at', 'is', null)
    .where((eb) => eb.or([eb('k.expires_at', 'is', null), eb('k.expires_at', '>', dialect.now())]))
    .where('u.disabled', '=', 0)
    .executeTakeFirst();
  if (!row) return undefined;
  const { key_read_only, ...user } = row;
  return { user, readOnly: !!key_read_only };
}

export async function listApiKeys({ db }: ShoalDb, userId: number): Promise<ApiKeyRow[]> {
  return db.selectFrom('api_keys').selectAll().where('user_id', '=', userId).orderBy('id').execute();
}

/** Returns false when the user has no such active key. */
export async function revokeApiKey({ db, dialect }: ShoalDb, userId: number, id: number): Promise<boolean> {
  const r = await db
    .updateTable('api_keys')
    .set({ revoked_at: dialect.now() })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Revokes every active key of a user; returns how many. */
export async function revokeAllApiKeys({ db, dialect }: ShoalDb, userId: number): Promise<number> {
  const r = await db.updateTable('api_keys').set({ revoked_at: dialect.now() }).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows);
}


/**
 * The one key a program on this machine (the desktop's manager) calls its node with, known by
 * its name: `kept` (the key it stored last time) while it still works as this user's full key;
 * otherwise a new one, and the user's other active keys of that name are revoked, so restarts
 * never pile keys up.
 */
export async function reuseOrReplaceNamedKey(shoal: ShoalDb, userId: number, name: string, kept?: string): Promise<{ key: string; reused: boolean }> {
  if (kept) {
    const row = await shoal.db
      .selectFrom('api_keys')
      .select('id')
      .where('key_hash', '=', hashToken(kept))
      .where('user_id', '=', userId)
      .where('name', '=', name)
      .where('revoked_at', 'is', null)
      .where('expires_at', 'is', null)
      .where('read_only', '=', 0)
      .executeTakeFirst();
    if (row) return { key: kept, reused: true };
  }
  const { key, row } = await createApiKey(shoal, userId, name);
  for (const old of await listApiKeys(shoal, userId)) if (old.name === name && old.id !== row.id && old.revoked_at == null) await revokeApiKey(shoal, userId, Number(old.id));
  return { key, reused: false };
}
