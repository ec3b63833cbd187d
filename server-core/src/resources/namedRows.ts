import { conflict } from '../api/errors.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { nameKey } from './ids.js';
import { unitOfWork } from './shoalTrx.js';
import { guardUniqueName } from './uniqueName.js';

/** Tables whose rows have a name unique within a space or a project (`name_key`, lower-cased). */
export type NamedTable = 'environments' | 'lifecycles' | 'projects' | 'library_variable_sets' | 'runbooks' | 'triggers' | 'targets';

/** Where a name must be unique: a space, or a project. */
export type NameScope = { space: string } | { project: number };

/** The columns every named row shares, from a body's name and description. */
export const namedColumns = (name: string, description: string | undefined, fallback = '') => ({
  name: name.trim(),
  name_key: nameKey(name),
  description: description ?? fallback,
});

/**
 * Creates or changes a named row in one unit of work, refusing (409 with `taken`) a name
 * another row of the scope has — checked first, and guarded by the unique index when two
 * requests race past the check.
 */
export function saveNamed<T>(
  shoal: ShoalDb,
  table: NamedTable,
  scope: NameScope,
  name: string,
  except: number | undefined,
  taken: string,
  work: (trx: ShoalDb) => Promise<T>,
): Promise<T> {
  return guardUniqueName(taken, () =>
    unitOfWork(shoal, async (trx) => {
      let q = (trx.db as ShoalDb['db']).selectFrom(table).select('id').where('name_key', '=', nameKey(name));
      q = 'space' in scope ? q.where('space_id', '=', scope.space) : q.where('project_id' as never, '=', scope.project as never);
      if (except !== undefined) q = q.where('id', '<>', except);
      if (await q.executeTakeFirst()) throw conflict(taken);
      return work(trx);
    }),
  );
}
