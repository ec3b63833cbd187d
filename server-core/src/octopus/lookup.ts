import { badRequest, notFound } from '../api/errors.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { listEnvironments, type EnvironmentRow } from '../environments/environmentRows.js';
import type { ProjectRow } from '../projects/projectRows.js';
import { formatId } from '../resources/ids.js';

/** Octopus's slug of a name: `Acme Web` → `acme-web`. */
export const slugOf = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export async function spaceProjects({ db }: ShoalDb, spaceId: string): Promise<ProjectRow[]> {
  return db.selectFrom('projects').selectAll().where('space_id', '=', spaceId).orderBy('name_key').orderBy('id').execute();
}

/** A project by id or slug (Octopus's `projects/{idOrSlug}`); undefined when neither. */
export async function projectByIdOrSlug(shoal: ShoalDb, spaceId: string, ref: string): Promise<ProjectRow | undefined> {
  return (await spaceProjects(shoal, spaceId)).find((p) => same(formatId('project', p.id), ref) || slugOf(p.name) === ref.toLowerCase());
}

/** A project by id or slug, or a 404 (the Go CLI then looks it up by `partialName`). */
export async function requireProjectByIdOrSlug(shoal: ShoalDb, spaceId: string, ref: string): Promise<ProjectRow> {
  const p = await projectByIdOrSlug(shoal, spaceId, ref);
  if (!p) throw notFound(`There is no project with the id or slug "${ref}" in ${spaceId}.`);
  return p;
}

/** The project a command names (`ProjectName`: its name, slug or id, any case), or a 400 naming it. */
export async function projectNamed(shoal: ShoalDb, spaceId: string, ref: string): Promise<ProjectRow> {
  const projects = await spaceProjects(shoal, spaceId);
  const p = projects.find((x) => same(x.name, ref)) ?? projects.find((x) => same(formatId('project', x.id), ref) || slugOf(x.name) === ref.toLowerCase());
  if (!p) throw badRequest(`ProjectName: there is no project "${ref}" in ${spaceId}`);
  return p;
}

/** The environments a command names (names or ids, any case), or a 400 naming the first unknown one. */
export async function environmentsNamed(shoal: ShoalDb, spaceId: string, refs: string[]): Promise<EnvironmentRow[]> {
  const envs = await listEnvironments(shoal, spaceId);
  return refs.map((ref) => {
    const e = envs.find((x) => same(x.name, ref)) ?? envs.find((x) => same(formatId('environment', x.id), ref));
    if (!e) throw badRequest(`EnvironmentNames: there is no environment "${ref}" in ${spaceId}`);
    return e;
  });
}
