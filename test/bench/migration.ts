/**
 * Migration benchmark: a standalone data dir with 100,000 tasks and 200,000 audit events
 * moved to a throwaway PostgreSQL by the same code as `shoal migrate`, against a baseline
 * measured in the same run: a plain batched insert of the same rows into the same server.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { resolveNodeConfig } from '../../server-core/src/config/nodeConfig.js';
import { migrateToLatest } from '../../server-core/src/db/migrations/index.js';
import { openDatabase } from '../../server-core/src/db/open.js';
import { ensureAdminUser } from '../../server-core/src/auth/users.js';
import { migrateToCluster } from '../../server-core/src/migration/migrate.js';
import { shoalTables } from '../../server-core/src/migration/tables.js';
import { verifyMasterKey } from '../../server-core/src/secrets/keyCheck.js';
import { loadOrCreateMasterKey } from '../../server-core/src/secrets/masterKey.js';
import { storageUnder } from '../../server-core/src/storage/paths.js';
import { startThrowawayPostgres } from '../../server-core/src/testing/throwawayPostgres.js';
import { REPO_ROOT } from '../helpers/repo.js';
import { printTable, writeJson } from './report.js';

const BATCH = 1000;
const TARGET_RATIO = 0.5;

async function makeSource(dataDir: string, tasks: number, events: number): Promise<void> {
  const shoal = await openDatabase(path.join(dataDir, 'shoal.db'));
  await migrateToLatest(shoal);
  await verifyMasterKey(shoal, await loadOrCreateMasterKey({ dataDir }));
  await ensureAdminUser(shoal, 'bench-admin-password');
  await shoal.close();
  const db = new Database(path.join(dataDir, 'shoal.db'));
  const t0 = 1_700_000_000_000;
  const task = db.prepare(
    `insert into tasks (kind, description, arguments, state, concurrency_tag, node_name, claim_token, queue_time, expires_at, start_time, completed_time, error_message, created_by)
     values ('AdHocScript', ?, ?, 'Success', null, 'desk', ?, ?, ?, ?, ?, null, 'admin')`,
  );
  const event = db.prepare('insert into events (occurred, username, action, target, details, client_ip) values (?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < tasks; i++) {
      task.run(`Script: deploy step ${i}`, JSON.stringify({ script: `echo step ${i}`, syntax: 'bash' }), `claim-${i}`, t0 + i, t0 + i + 86_400_000, t0 + i + 5, t0 + i + 900);
    }
    for (let i = 0; i < events; i++) event.run(t0 + i, 'admin', 'task.create', `ServerTasks-${i}`, JSON.stringify({ kind: 'AdHocScript' }), '10.1.2.3');
  })();
  db.close();
}

/** The same rows, read from the same SQLite file, inserted in batches of 1,000: nothing else. */
async function plainBatchedInsert(sourceFile: string, targetUrl: string): Promise<{ rows: number; seconds: number }> {
  const source = await openDatabase(sourceFile);
  const target = await openDatabase(targetUrl);
  await migrateToLatest(target);
  const t = performance.now();
  let rows = 0;
  for (const table of await shoalTables(source.db as Kysely<any>)) {
    if (!['tasks', 'events'].includes(table.name)) continue;
    let last = 0;
    for (;;) {
      const batch = await (source.db as Kysely<any>).selectFrom(table.name).selectAll().where('id', '>', last).orderBy('id').limit(BATCH).execute();
      if (!batch.length) break;
      const perInsert = Math.floor(2000 / table.columns.length);
      for (let i = 0; i < batch.length; i += perInsert) await (target.db as Kysely<any>).insertInto(table.name).values(batch.slice(i, i + perInsert)).execute();
      rows += batch.length;
      last = batch[batch.length - 1]!.id;
    }
  }
  const seconds = (performance.now() - t) / 1000;
  await source.close();
  await target.close();
  return { rows, seconds };
}

export async function runMigrationBench(o: { quick: boolean }): Promise<void> {
  const tasks = o.quick ? 10_000 : 100_000;
  const events = o.quick ? 20_000 : 200_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-bench-migration-'));
  const pg = await startThrowawayPostgres();
  try {
    const dataDir = path.join(dir, 'standalone');
    process.stderr.write(`bench: migration: building a data dir with ${tasks} tasks and ${events} events\n`);
    await makeSource(dataDir, tasks, events);
    // Baseline first and migration second, then both again in the other order: the mean of each cancels drift.
    const runs: { migrated: number; migrateS: number; copyS: number; baselineS: number }[] = [];
    for (let round = 0; round < 2; round++) {
      const baselineUrl = await pg.createDatabase(`baseline_${round}`);
      const targetUrl = await pg.createDatabase(`migrated_${round}`);
      const doBaseline = () => plainBatchedInsert(path.join(dataDir, 'shoal.db'), baselineUrl);
      fs.mkdirSync(path.join(dir, `shared-${round}`));
      const doMigration = async () => {
        const marks = new Map<string, number>();
        const t = performance.now();
        const result = await migrateToCluster({
          source: resolveNodeConfig({ dataDir }, {}),
          targetUrl,
          targetStorage: storageUnder(path.join(dir, `shared-${round}`)),
          progress: { step: (m) => marks.set(m, performance.now()), rows() {}, files() {} },
        });
        const verifyAt = [...marks].find(([m]) => m.startsWith('Verifying'))?.[1] ?? performance.now();
        const copyFrom = [...marks].find(([m]) => m.startsWith('Creating') || m.startsWith('Resuming'))?.[1] ?? t;
        fs.rmSync(path.join(dataDir, 'shoal.config.json'), { force: true }); // the next round migrates the same source again
        return { rows: result.verified.reduce((n, v) => n + v.rows, 0), seconds: (performance.now() - t) / 1000, copyS: (verifyAt - copyFrom) / 1000 };
      };
      const [base, mig] = round === 0 ? [await doBaseline(), await doMigration()] : await (async () => { const m = await doMigration(); return [await doBaseline(), m] as const; })();
      runs.push({ migrated: mig.rows, migrateS: mig.seconds, copyS: mig.copyS, baselineS: base.seconds * (mig.rows / base.rows) });
    }
    const mean = (f: (r: (typeof runs)[number]) => number) => runs.reduce((n, r) => n + f(r), 0) / runs.length;
    const rows = runs[0]!.migrated;
    const baselineRps = rows / mean((r) => r.baselineS);
    const copyRps = rows / mean((r) => r.copyS);
    const totalRps = rows / mean((r) => r.migrateS);
    const figures = {
      tasks,
      events,
      rowsMigrated: rows,
      baselineRowsPerSecond: Math.round(baselineRps),
      migrationCopyRowsPerSecond: Math.round(copyRps),
      migrationTotalRowsPerSecond: Math.round(totalRps),
      ratioCopy: +(copyRps / baselineRps).toFixed(2),
      ratioTotal: +(totalRps / baselineRps).toFixed(2),
      target: TARGET_RATIO,
      note: 'copy = schema + batched, resumable row copy; total adds the checks, dry-run plan and verification (both sides re-read and checksummed). Baseline: plain batched insert of the same tasks and events, same PostgreSQL, same run; scaled to the same row count.',
      rounds: runs,
    };
    printTable('Migration: standalone SQLite -> PostgreSQL', [
      ['measure', 'rows/s', 'ratio vs baseline', `target ≥ ${TARGET_RATIO}`],
      ['plain batched insert (baseline)', figures.baselineRowsPerSecond, '1.00', ''],
      ['shoal migrate: copy phase', figures.migrationCopyRowsPerSecond, figures.ratioCopy.toFixed(2), figures.ratioCopy >= TARGET_RATIO ? 'pass' : 'MISS'],
      ['shoal migrate: whole command (with verification)', figures.migrationTotalRowsPerSecond, figures.ratioTotal.toFixed(2), figures.ratioTotal >= TARGET_RATIO ? 'pass' : 'MISS'],
    ]);
    writeJson(path.join(REPO_ROOT, 'bench-results'), 'migration.json', figures);
  } finally {
    await pg.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
