import type { Selectable } from 'kysely';
import type { ShoalDb } from '../db/dialects/dialect.js';
import type { EnvironmentsTable } from '../db/schema.js';
import { formatId } from '../resources/ids.js';
import type { Environment } from '../contract/environments.js';

export type EnvironmentRow = Selectable<EnvironmentsTable>;

export const toEnvironment = (r: EnvironmentRow): Environment => ({
  id: formatId('environment', r.id),
  spaceId: r.space_id,
  name: r.name,
  description: r.description,
  sortOrder: Number(r.sort_order),
});

/** The space's environments in their order. */
export async function listEnvironments({ db }: ShoalDb, spaceId: string): Promise<EnvironmentRow[]> {
  return db.selectFrom('environments').selectAll().where('space_id', '=', spaceId).orderBy('sort_order').orderBy('id').execute();
}

export async function findEnvironment({ db }: ShoalDb, spaceId: string, id: number): Promise<EnvironmentRow | undefined> {
  return db.selectFrom('environments').selectAll().where('space_id', '=', spaceId).where('id', '=', id).executeTakeFirst();
}
