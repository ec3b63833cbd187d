import type { Kysely } from 'kysely';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { RowDigest, sameRow } from './rowDigest.js';
import type { TableInfo } from './tables.js';

export const BATCH_SIZE = 1000;

export type RowProgress = (table: string, copied: number, total: number) => void;

async function* batches(db: Kysely<any>, t: TableInfo) {
  let last: unknown;
  for (;;) {
    let q = db.selectFrom(t.name).select(t.columns).orderBy(t.key).limit(BATCH_SIZE);
    if (last !== undefined) q = q.where(t.key, '>', last);
    const rows = (await q.execute()) as Record<string, unknown>[];
    if (!rows.length) return;
    yield rows;
    last = rows[rows.length - 1]![t.key];
    if (rows.length < BATCH_SIZE) return;
  }
}

/**
 * Copies one table in key order and in batches. Rows whose key is already on the target
 * (an earlier, interrupted run) are not inserted again, so running it again never
 * duplicates; such a row that differs (seeded by the target's own schema migration, like
 * the default space) is overwritten with the source's. Each batch commits on its own: a
 * crash loses at most the batch in flight. Returns the source table's row count and digest.
 */
export async function copyTable(
  source: ShoalDb,
  target: ShoalDb,
  t: TableInfo,
  generatedKeyOnTarget: boolean,
  total: number,
  progress: RowProgress,
): Promise<{ rows: number; digest: string }> {
  let copied = 0;
  // Every source row passes through here, copied now or in an earlier run, so the source's
  // digest for verification comes for free instead of a second full read.
  const sourceDigest = new RowDigest(t.verifiedColumns);
  const targetDb = target.db as Kysely<any>;
  for await (const rows of batches(source.db, t)) {
    for (const r of rows) sourceDigest.add(r);
    const keys = rows.map((r) => r[t.key]);
    await targetDb.transaction().execute(async (trx) => {
      const present = new Map(
        ((await trx.selectFrom(t.name).select(t.columns).where(t.key, 'in', keys).execute()) as Record<string, unknown>[]).map((r) => [
          String(r[t.key]),
          r,
        ]),
      );
      for (const r of rows) {
        const there = present.get(String(r[t.key]));
        if (there && !sameRow(t.columns, r, there)) await trx.updateTable(t.name).set(r).where(t.key, '=', r[t.key]).execute();
      }
      const missing = rows.filter((r) => !present.has(String(r[t.key])));
      if (!missing.length) return;
      // Stay below every driver's parameter limit (SQL Server allows 2,100 per statement).
      const perInsert = Math.max(1, Math.floor(2000 / t.columns.length));
      const insert = async () => {
        for (let i = 0; i < missing.length; i += perInsert) await trx.insertInto(t.name).values(missing.slice(i, i + perInsert)).execute();
      };
      if (generatedKeyOnTarget) await target.dialect.withExplicitKeys(trx, t.name, insert);
      else await insert();
    });
    copied += rows.length;
    progress(t.name, copied, total);
  }
  if (generatedKeyOnTarget) await target.dialect.advanceIdSequence(targetDb, t.name, t.key);
  return { rows: sourceDigest.count, digest: sourceDigest.digest() };
}

/** Row count and content digest of a table. */
export async function tableDigest(shoal: ShoalDb, t: TableInfo): Promise<{ rows: number; digest: string }> {
  const d = new RowDigest(t.verifiedColumns);
  for await (const rows of batches(shoal.db, t)) for (const r of rows) d.add(r);
  return { rows: d.count, digest: d.digest() };
}

export async function countRows(shoal: ShoalDb, table: string): Promise<number> {
  const r = await (shoal.db as Kysely<any>).selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}
