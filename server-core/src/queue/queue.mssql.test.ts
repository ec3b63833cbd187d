import { after, beforeEach, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { openDatabase } from '../db/open.js';
import { queueConformance } from '../testing/queueConformance.js';

/**
 * SQL Server cannot run on this project's machines; set SHOAL_TEST_MSSQL_URL
 * (sqlserver://user:password@host:1433/master?trustServerCertificate=true) to run the
 * same conformance suite against a real one. Each test gets a new database.
 */
const serverUrl = process.env.SHOAL_TEST_MSSQL_URL;

if (!serverUrl) {
  describe('queue conformance: mssql', () => {
    it('runs only when SHOAL_TEST_MSSQL_URL is set (no SQL Server here)', { skip: 'SHOAL_TEST_MSSQL_URL is not set' }, () => {});
  });
} else {
  let admin: ShoalDb;
  let url = '';
  let n = 0;
  const created: string[] = [];
  beforeEach(async () => {
    admin ??= await openDatabase(serverUrl);
    const name = `shoal_test_${process.pid}_${++n}`;
    await sql`create database ${sql.id(name)}`.execute(admin.db);
    created.push(name);
    const u = new URL(serverUrl.replace(/^(sqlserver|mssql):/i, 'http:'));
    u.pathname = `/${name}`;
    url = u.toString().replace(/^http:/, 'sqlserver:');
  });
  after(async () => {
    for (const name of created) await sql`drop database ${sql.id(name)}`.execute(admin.db).catch(() => {});
    await admin?.close();
  });
  queueConformance('mssql', () => openDatabase(url));
}
