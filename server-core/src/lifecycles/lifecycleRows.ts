import type { Selectable } from 'kysely';
import type { Lifecycle, Phase } from '../contract/environments.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import type { LifecyclesTable } from '../db/schema.js';
import { listEnvironments, type EnvironmentRow } from '../environments/environmentRows.js';
import { formatId } from '../resources/ids.js';
import { effectivePhases } from './phases.js';

export type LifecycleRow = Selectable<LifecyclesTable>;

export const storedPhases = (r: LifecycleRow): Phase[] | null => (r.phases == null ? null : (JSON.parse(r.phases) as Phase[]));

export const toLifecycle = (r: LifecycleRow, environments: EnvironmentRow[]): Lifecycle => ({
  id: formatId('lifecycle', r.id),
  spaceId: r.space_id,
  name: r.name,
  description: r.description,
  isDefault: !!r.is_default,
  usesEnvironmentOrder: r.phases == null,
  phases: effectivePhases(storedPhases(r), environments),
});

export async function listLifecycles({ db }: ShoalDb, spaceId: string): Promise<LifecycleRow[]> {
  return db.selectFrom('lifecycles').selectAll().where('space_id', '=', spaceId).orderBy('id').execute();
}

export async function findLifecycle({ db }: ShoalDb, spaceId: string, id: number): Promise<LifecycleRow | undefined> {
  return db.selectFrom('lifecycles').selectAll().where('space_id', '=', spaceId).where('id', '=', id).executeTakeFirst();
}

export async function defaultLifecycle({ db }: ShoalDb, spaceId: string): Promise<LifecycleRow | undefined> {
  return db.selectFrom('lifecycles').selectAll().where('space_id', '=', spaceId).where('is_default', '=', 1).orderBy('id').executeTakeFirst();
}

/** A lifecycle's phases as they apply now (the default one follows the environments' order). */
export async function phasesOf(shoal: ShoalDb, row: LifecycleRow): Promise<Phase[]> {
  return effectivePhases(storedPhases(row), await listEnvironments(shoal, row.space_id));
}
