import type { ShoalDb } from '../db/dialects/dialect.js';
import { Permissions, type Permission, type Role } from './permissions.js';
import { grantOfTeam } from './teams.js';
import type { UserRow } from './users.js';

/** A user as the API shows it: never the password hash. */
export interface UserResource {
  id: string;
  username: string;
  disabled: boolean;
  isAdmin: boolean;
  teamIds: string[];
  roles: Role[];
  permissions: Permission[];
  createdAt: string;
}

export const userId = (n: number | string): string => `Users-${n}`;
export const teamId = (n: number | string): string => `Teams-${n}`;

/** Parses `Users-12` or `12`. */
export function parseNumericId(prefix: string, id: string): number | undefined {
  const m = new RegExp(`^(?:${prefix}-)?([1-9][0-9]{0,15})$`).exec(id);
  return m ? Number(m[1]) : undefined;
}

/** The users' resources, with their teams, in one query for the memberships. */
export async function toUserResources(shoal: ShoalDb, users: UserRow[]): Promise<UserResource[]> {
  if (!users.length) return [];
  const rows = await shoal.db
    .selectFrom('team_members as m')
    .innerJoin('teams as t', 't.id', 'm.team_id')
    .selectAll('t')
    .select('m.user_id')
    .where(
      'm.user_id',
      'in',
      users.map((u) => Number(u.id)),
    )
    .orderBy('t.id')
    .execute();
  return users.map((u) => {
    const teams = rows.filter((r) => Number(r.user_id) === Number(u.id));
    const permissions = new Permissions(teams.map(grantOfTeam));
    return {
      id: userId(u.id),
      username: u.username,
      disabled: !!u.disabled,
      isAdmin: permissions.isAdmin,
      teamIds: teams.map((t) => teamId(t.id)),
      roles: [...new Set(teams.flatMap((t) => grantOfTeam(t).roles))],
      permissions: permissions.list(),
      createdAt: new Date(Number(u.created_at)).toISOString(),
    };
  });
}

export async function toUserResource(shoal: ShoalDb, user: UserRow): Promise<UserResource> {
  return (await toUserResources(shoal, [user]))[0]!;
}

/** Enabled users with administrator rights, other than `except`. */
export async function otherEnabledAdmins(shoal: ShoalDb, except: number): Promise<number> {
  const rows = await shoal.db
    .selectFrom('users as u')
    .innerJoin('team_members as m', 'm.user_id', 'u.id')
    .innerJoin('teams as t', 't.id', 'm.team_id')
    .select('u.id')
    .distinct()
    .where('u.disabled', '=', 0)
    .where('u.id', '<>', except)
    .where('t.roles', 'like', '%Admin%')
    .execute();
  return rows.length;
}
