import type { Selectable } from 'kysely';
import type { Project } from '../contract/projects.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import type { ProjectsTable } from '../db/schema.js';
import { formatId } from '../resources/ids.js';

export type ProjectRow = Selectable<ProjectsTable>;

export const librarySetIdsOf = (r: ProjectRow): number[] => JSON.parse(r.library_variable_set_ids) as number[];

export const toProject = (r: ProjectRow): Project => ({
  id: formatId('project', r.id),
  spaceId: r.space_id,
  name: r.name,
  description: r.description,
  lifecycleId: formatId('lifecycle', r.lifecycle_id),
  libraryVariableSetIds: librarySetIdsOf(r).map((n) => formatId('libraryVariableSet', n)),
});

export async function findProject({ db }: ShoalDb, spaceId: string, id: number): Promise<ProjectRow | undefined> {
  return db.selectFrom('projects').selectAll().where('space_id', '=', spaceId).where('id', '=', id).executeTakeFirst();
}

export async function listProjects({ db }: ShoalDb, spaceId: string, q: { name?: string; take: number; skip: number }) {
  let base = db.selectFrom('projects').where('space_id', '=', spaceId);
  if (q.name) base = base.where('name_key', '=', q.name.trim().toLowerCase());
  const [items, count] = await Promise.all([
    base.selectAll().orderBy('name_key').orderBy('id').limit(q.take).offset(q.skip).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(count.n) };
}
