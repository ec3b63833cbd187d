import { sql, type Selectable, type Transaction } from 'kysely';
import type { ShoalDb } from '../db/dialects/dialect.js';
import type { PackagesTable, Schema } from '../db/schema.js';
import { insertReturning } from '../db/insertReturning.js';
import type { PackageFileName } from './fileName.js';
import { compareVersionText } from './version.js';

export type PackageRow = Selectable<PackagesTable>;

/** What is stored about one package version (its file lives on the packages path). */
export interface NewPackage {
  spaceId: string;
  name: PackageFileName;
  sizeBytes: number;
  sha256: string;
  publishedBy: string | null;
}

const values = (p: NewPackage, now: ShoalDb['dialect']['now']) => ({
  space_id: p.spaceId,
  package_id: p.name.packageId,
  package_key: p.name.packageKey,
  version: p.name.version.text,
  version_key: p.name.versionKey,
  file_name: p.name.fileName,
  file_extension: p.name.extension,
  size_bytes: p.sizeBytes,
  sha256: p.sha256,
  published_at: now(),
  published_by: p.publishedBy,
});

/** Inserts; throws a unique violation when the space already holds that id and version. */
export async function insertPackage(shoal: ShoalDb, p: NewPackage): Promise<PackageRow> {
  return normalize(await insertReturning(shoal, 'packages', values(p, shoal.dialect.now)));
}

/**
 * Within a transaction: updates the row of that id and version (locking it on server
 * databases, so replacements of one version take turns) or inserts it. Returns the row
 * as it was before, if any.
 */
export async function upsertPackage(trx: Transaction<Schema>, shoal: ShoalDb, p: NewPackage): Promise<PackageRow | undefined> {
  const v = values(p, shoal.dialect.now);
  const key = (q: any) => q.where('space_id', '=', p.spaceId).where('package_key', '=', p.name.packageKey).where('version_key', '=', p.name.versionKey);
  // Touch the row first: the update takes the row lock before we read what it held.
  const touched = await key(trx.updateTable('packages').set({ published_at: v.published_at })).executeTakeFirst();
  if (Number(touched.numUpdatedRows) === 0) {
    await trx.insertInto('packages').values(v).execute();
    return undefined;
  }
  const before = (await key(trx.selectFrom('packages').selectAll()).executeTakeFirst()) as PackageRow | undefined;
  await key(trx.updateTable('packages').set(v)).execute();
  return before && normalize(before);
}

export async function findPackage({ db }: ShoalDb, spaceId: string, packageKey: string, versionKey: string): Promise<PackageRow | undefined> {
  const row = await db
    .selectFrom('packages')
    .selectAll()
    .where('space_id', '=', spaceId)
    .where('package_key', '=', packageKey)
    .where('version_key', '=', versionKey)
    .executeTakeFirst();
  return row && normalize(row);
}

export async function deletePackageRow({ db }: ShoalDb, id: number): Promise<boolean> {
  const r = await db.deleteFrom('packages').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

export async function allPackagesOfSpace({ db }: ShoalDb, spaceId: string): Promise<PackageRow[]> {
  return (await db.selectFrom('packages').selectAll().where('space_id', '=', spaceId).execute()).map(normalize);
}

export interface PackageSummary {
  packageId: string;
  latest: PackageRow;
  versionCount: number;
  totalBytes: number;
}

/** One entry per package id (case-insensitively), ordered by id; `filter` matches part of the id. */
export async function listPackageSummaries(
  { db }: ShoalDb,
  spaceId: string,
  q: { filter?: string; take: number; skip: number },
): Promise<{ items: PackageSummary[]; total: number }> {
  let base = db.selectFrom('packages').where('space_id', '=', spaceId);
  if (q.filter) base = base.where(sql<boolean>`package_key like ${`%${escapeLike(q.filter.toLowerCase())}%`} escape '!'`);
  const [keys, count] = await Promise.all([
    base.select('package_key').groupBy('package_key').orderBy('package_key').limit(q.take).offset(q.skip).execute(),
    base.select((eb) => eb.fn.count<number>('package_key').distinct().as('n')).executeTakeFirstOrThrow(),
  ]);
  const items: PackageSummary[] = [];
  if (keys.length) {
    const rows = (
      await db.selectFrom('packages').selectAll().where('space_id', '=', spaceId).where('package_key', 'in', keys.map((k) => k.package_key)).execute()
    ).map(normalize);
    for (const { package_key } of keys) {
      const versions = sortNewestFirst(rows.filter((r) => r.package_key === package_key));
      items.push({
        packageId: versions[0]!.package_id,
        latest: versions[0]!,
        versionCount: versions.length,
        totalBytes: versions.reduce((s, r) => s + r.size_bytes, 0),
      });
    }
  }
  return { items, total: Number(count.n) };
}

/** Every version of one package id, newest first by SemVer precedence. */
export async function listVersions({ db }: ShoalDb, spaceId: string, packageKey: string): Promise<PackageRow[]> {
  const rows = await db.selectFrom('packages').selectAll().where('space_id', '=', spaceId).where('package_key', '=', packageKey).execute();
  return sortNewestFirst(rows.map(normalize));
}

export const sortNewestFirst = (rows: PackageRow[]): PackageRow[] => rows.sort((a, b) => compareVersionText(b.version, a.version) || b.id - a.id);

/** `like` with the filter taken literally (escape character `!`, understood by all three databases). */
function escapeLike(s: string): string {
  return s.replace(/[!%_[]/g, (c) => `!${c}`);
}

/** PostgreSQL hands bigint back as text. */
function normalize(r: PackageRow): PackageRow {
  return { ...r, id: Number(r.id), size_bytes: Number(r.size_bytes), published_at: Number(r.published_at) };
}
