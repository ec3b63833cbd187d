import type { Selectable } from 'kysely';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { insertReturning } from '../db/insertReturning.js';
import type { UsersTable } from '../db/schema.js';
import { generatePassword, hashPassword, verifyPassword } from './passwords.js';
import { passwordProblem } from './passwordPolicy.js';
import { addToTeams, teamIdByName } from './teams.js';

export type UserRow = Selectable<UsersTable>;

export class PasswordPolicyError extends Error {}

/** Throws PasswordPolicyError naming what is wrong. */
export function assertPasswordAcceptable(password: string, username?: string, what = 'password'): void {
  const problem = passwordProblem(password, username);
  if (problem) throw new PasswordPolicyError(`${what} ${problem}`);
}

export async function createUser(shoal: ShoalDb, username: string, password: string, teamIds: number[] = []): Promise<UserRow> {
  assertPasswordAcceptable(password, username);
  const password_hash = await hashPassword(password);
  const user = await insertReturning(shoal, 'users', { username, password_hash, created_at: shoal.dialect.now() });
  await addToTeams(shoal, Number(user.id), teamIds);
  return user;
}

/**
 * Creates `admin` (in Administrators) on an empty database. Returns the password when it
 * was generated (so the caller prints it once), null when one was given, undefined when
 * users exist. A given password must pass the policy.
 */
export async function ensureAdminUser(shoal: ShoalDb, givenPassword: string | undefined): Promise<string | null | undefined> {
  const any = await shoal.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (any) return undefined;
  if (givenPassword) assertPasswordAcceptable(givenPassword, 'admin', 'SHOAL_ADMIN_PASSWORD');
  const password = givenPassword || generatePassword();
  const admins = await teamIdByName(shoal, 'Administrators');
  await createUser(shoal, 'admin', password, admins === undefined ? [] : [admins]);
  return givenPassword ? null : password;
}

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/** The enabled user with this name and password. */
export async function findUserByCredentials({ db }: ShoalDb, username: string, password: string): Promise<UserRow | undefined> {
  const user = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  // Hash even for unknown users so timing does not tell which usernames exist.
  const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
  return user && ok && !user.disabled ? user : undefined;
}

export async function passwordMatches(user: UserRow, password: string): Promise<boolean> {
  return verifyPassword(password, user.password_hash);
}

export async function setPassword(shoal: ShoalDb, userId: number, password: string, username: string): Promise<void> {
  assertPasswordAcceptable(password, username);
  await shoal.db.updateTable('users').set({ password_hash: await hashPassword(password) }).where('id', '=', userId).execute();
}

export async function listUsers({ db }: ShoalDb): Promise<UserRow[]> {
  return db.selectFrom('users').selectAll().orderBy('id').execute();
}

export async function getUser({ db }: ShoalDb, id: number): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findUserByName({ db }: ShoalDb, username: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
}

export async function setDisabled({ db }: ShoalDb, id: number, disabled: boolean): Promise<void> {
  await db.updateTable('users').set({ disabled: disabled ? 1 : 0 }).where('id', '=', id).execute();
}

/** Removes a user with their memberships, keys and sessions, in one transaction. */
export async function deleteUser({ db }: ShoalDb, id: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await trx.deleteFrom('team_members').where('user_id', '=', id).execute();
    await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
    await trx.deleteFrom('api_keys').where('user_id', '=', id).execute();
    const r = await trx.deleteFrom('users').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  });
}
