import type { Selectable } from 'kysely';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { insertReturning } from '../db/insertReturning.js';
import type { UsersTable } from '../db/schema.js';
import { generatePassword, hashPassword, verifyPassword } from './passwords.js';

export type UserRow = Selectable<UsersTable>;

export interface UserResource {
  id: string;
  username: string;
  isAdmin: boolean;
}

export const toUserResource = (u: UserRow): UserResource => ({ id: `Users-${u.id}`, username: u.username, isAdmin: !!u.is_admin });

export async function createUser(shoal: ShoalDb, username: string, password: string, isAdmin: boolean): Promise<UserRow> {
  const password_hash = await hashPassword(password);
  return insertReturning(shoal, 'users', { username, password_hash, is_admin: isAdmin ? 1 : 0, created_at: shoal.dialect.now() });
}

/**
 * Creates `admin` on an empty database. Returns the password when it was generated
 * (so the caller prints it once), null when one was given, undefined when users exist.
 */
export async function ensureAdminUser(shoal: ShoalDb, givenPassword: string | undefined): Promise<string | null | undefined> {
  const any = await shoal.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (any) return undefined;
  const password = givenPassword || generatePassword();
  await createUser(shoal, 'admin', password, true);
  return givenPassword ? null : password;
}

export async function findUserByCredentials({ db }: ShoalDb, username: string, password: string): Promise<UserRow | undefined> {
  const user = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  // Hash even for unknown users so timing does not tell which usernames exist.
  const ok = await verifyPassword(password, user?.password_hash ?? 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
  return user && ok ? user : undefined;
}

export async function listUsers({ db }: ShoalDb): Promise<UserRow[]> {
  return db.selectFrom('users').selectAll().orderBy('id').execute();
}
