import type { ShoalDb } from '../db/dialects/dialect.js';
import { notFound } from '../api/errors.js';
import { DEFAULT_SPACE_ID } from '../packages/spaces.js';
import { spaceLinks } from './links.js';
import { slugOf } from './lookup.js';

export interface SpaceRow {
  id: string;
  name: string;
}

export async function listSpaces({ db }: ShoalDb): Promise<SpaceRow[]> {
  return db.selectFrom('spaces').select(['id', 'name']).orderBy('created_at').orderBy('id').execute();
}

/** The space of a route, by id (any case), or a 404 naming it. */
export async function requireSpaceRow(shoal: ShoalDb, spaceId: string): Promise<SpaceRow> {
  const row = (await listSpaces(shoal)).find((s) => s.id.toLowerCase() === spaceId.toLowerCase());
  if (!row) throw notFound(`There is no space ${spaceId}.`);
  return row;
}

/** A space as Octopus shows it; the TS client finds it by its exact `Name`, the Go CLI by name or id. */
export const toOctopusSpace = (s: SpaceRow) => ({
  Id: s.id,
  Name: s.name,
  Slug: slugOf(s.name),
  Description: '',
  IsDefault: s.id === DEFAULT_SPACE_ID,
  IsPrivate: false,
  TaskQueueStopped: false,
  SpaceManagersTeams: [],
  SpaceManagersTeamMembers: [],
  Links: spaceLinks(s.id),
});

/** The space root as native clients see it: the space and its collections. */
export const toNativeSpaceRoot = (s: SpaceRow) => {
  const base = `/api/${encodeURIComponent(s.id)}`;
  const links: Record<string, string> = { self: base };
  for (const c of ['environments', 'lifecycles', 'projects', 'libraryvariablesets', 'releases', 'deployments', 'interruptions', 'runbook-runs', 'packages', 'dashboard']) links[c] = `${base}/${c}`;
  return { id: s.id, name: s.name, isDefault: s.id === DEFAULT_SPACE_ID, links };
};
