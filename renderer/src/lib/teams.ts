import type { Role, Team } from '@shoal/server-core/contract';

/** What each role lets its members do, in the portal's words. */
export const ROLE_GRANTS: Record<Role, string> = {
  Viewer: 'see everything but the audit log and user administration',
  Deployer: 'push packages and deploy (to the environments below, when the team names some)',
  ProjectEditor: 'push packages and edit projects, processes and variables',
  Admin: 'everything, including users, teams and settings',
};

/**
 * Environment ids typed freely (commas, spaces or new lines between them) as the team's
 * Deployer limit: the ids in order, each once; null (every environment) when there are none.
 */
export function parseEnvironmentIds(text: string): string[] | null {
  const ids = [...new Set(text.split(/[\s,]+/).filter(Boolean))];
  return ids.length ? ids : null;
}

/** A team's Deployer limit as text: "every environment", or the ids. */
export function environmentLimitText(ids: readonly string[] | null): string {
  return ids?.length ? ids.join(', ') : 'every environment';
}

/** The names of the teams `ids` points at, in the teams' order; an id no team has (deleted meanwhile) as itself. */
export function teamNames(ids: readonly string[], teams: readonly Pick<Team, 'id' | 'name'>[]): string[] {
  const known = teams.filter((t) => ids.includes(t.id)).map((t) => t.name);
  const unknown = ids.filter((id) => !teams.some((t) => t.id === id));
  return [...known, ...unknown];
}
