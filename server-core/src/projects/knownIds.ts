import type { ShoalDb } from '../db/dialects/dialect.js';
import { listEnvironments } from '../environments/environmentRows.js';
import { formatId } from '../resources/ids.js';
import type { KnownIds } from './process.js';

/** The environments of a space and every team, as API ids, to check references against. */
export async function knownIds(shoal: ShoalDb, spaceId: string): Promise<KnownIds> {
  const environments = new Set((await listEnvironments(shoal, spaceId)).map((e) => formatId('environment', e.id)));
  const teams = new Set((await shoal.db.selectFrom('teams').select('id').execute()).map((t) => `Teams-${Number(t.id)}`));
  return { environments, teams };
}
