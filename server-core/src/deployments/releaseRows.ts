import type { Selectable } from 'kysely';
import type { Release } from '../contract/releases.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import type { ReleasesTable } from '../db/schema.js';
import { formatId, iso } from '../resources/ids.js';
import { parseSnapshot } from '../projects/snapshot.js';

export type ReleaseRow = Selectable<ReleasesTable>;

export const toRelease = (r: ReleaseRow): Release => ({
  id: formatId('release', r.id),
  spaceId: r.space_id,
  projectId: formatId('project', r.project_id),
  version: r.version,
  notes: r.notes,
  packages: parseSnapshot(r.snapshot).packages,
  createdAt: iso(r.created_at)!,
  createdBy: r.created_by,
});

export async function findRelease({ db }: ShoalDb, spaceId: string, id: number): Promise<ReleaseRow | undefined> {
  return db.selectFrom('releases').selectAll().where('space_id', '=', spaceId).where('id', '=', id).executeTakeFirst();
}

export async function listReleases({ db }: ShoalDb, spaceId: string, q: { projectId?: number; version?: string; take: number; skip: number }) {
  let base = db.selectFrom('releases').where('space_id', '=', spaceId);
  if (q.projectId !== undefined) base = base.where('project_id', '=', q.projectId);
  if (q.version !== undefined) base = base.where('version_key', '=', q.version.toLowerCase());
  const [items, count] = await Promise.all([
    base.selectAll().orderBy('id', 'desc').limit(q.take).offset(q.skip).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(count.n) };
}
