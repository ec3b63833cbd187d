import type { Selectable } from 'kysely';
import type { ShoalDb } from '../db/dialects/dialect.js';
import type { TeamsTable } from '../db/schema.js';
import { ROLES, type Role, type RoleGrant } from './permissions.js';

export type TeamRow = Selectable<TeamsTable>;

export const parseRoles = (text: string): Role[] => text.split(',').filter((r): r is Role => (ROLES as readonly string[]).includes(r));
export const parseEnvironmentIds = (json: string | null): string[] | null => (json == null ? null : (JSON.parse(json) as string[]));

export const grantOfTeam = (t: TeamRow): RoleGrant => ({ roles: parseRoles(t.roles), environmentIds: parseEnvironmentIds(t.environment_ids) });

/** The grants of every team a user belongs to. */
export async function grantsOfUser({ db }: ShoalDb, userId: number): Promise<RoleGrant[]> {
  const teams = await db
    .selectFrom('teams as t')
    .innerJoin('team_members as m', 'm.team_id', 't.id')
    .selectAll('t')
    .where('m.user_id', '=', userId)
    .execute();
  return teams.map(grantOfTeam);
}

export async function teamIdByName({ db }: ShoalDb, name: string): Promise<number | undefined> {
  const row = await db.selectFrom('teams').select('id').where('name', '=', name).executeTakeFirst();
  return row === undefined ? undefined : Number(row.id);
}

/** Adds the user to each team (already a member: nothing changes). */
export async function addToTeams({ db }: ShoalDb, userId: number, teamIds: number[]): Promise<void> {
  for (const teamId of teamIds) {
    const there = await db.selectFrom('team_members').select('id').where('team_id', '=', teamId).where('user_id', '=', userId).executeTakeFirst();
    if (!there) await db.insertInto('team_members').values({ team_id: teamId, user_id: userId }).execute();
  }
}
