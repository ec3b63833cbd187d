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
  revoked: boolean;
}

export const toApiKeyResource = (k: ApiKeyRow): ApiKeyResource => ({
  id: `ApiKeys-${k.id}`,
  name: k.name,
  prefix: k.key_prefix,
  createdAt: new Date(Number(k.created_at)).toISOString(),
  revoked: k.revoked_at != null,
});

/** Returns the key itself (shown once) and its stored record. */
export async function createApiKey(shoal: ShoalDb, userId: number, name: string): Promise<{ key: string; row: ApiKeyRow }> {
  const key = newApiKey();
  const row = await insertReturning(shoal, 'api_keys', {
    user_id: userId,
    name,
    key_hash: hashToken(key),
    key_prefix: key.slice(0, 8),
    created_at: shoal.dialect.now(),
    revoked_at: null,
  });
  return { key, row };
}

export async function userForApiKey({ db }: ShoalDb, key: string): Promise<UserRow | undefined> {
  return db
    .selectFrom('api_keys as k')
    .innerJoin('users as u', 'u.id', 'k.user_id')
    .selectAll('u')
    .where('k.key_hash', '=', hashToken(key))
    .where('k.revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function listApiKeys({ db }: ShoalDb, userId: number): Promise<ApiKeyRow[]> {
  return db.selectFrom('api_keys').selectAll().where('user_id', '=', userId).orderBy('id').execute();
}

/** Returns false when the user has no such key. */
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
