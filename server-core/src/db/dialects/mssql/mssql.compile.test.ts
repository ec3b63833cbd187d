import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DummyDriver, Kysely, MssqlAdapter, MssqlIntrospector, MssqlQueryCompiler, type CompiledQuery } from 'kysely';
import { up } from '../../migrations/0001_initial.js';
import { claimQuery } from '../../../queue/claim.js';
import { sql } from 'kysely';
import { mssqlAgentWorkClaimStatement, mssqlClaimStatement, mssqlDialect, parseMssqlUrl } from './index.js';
import { MssqlPagingPlugin } from './paging.js';

/** A Kysely that compiles SQL Server statements without a server and records them. */
function compileOnly(): { db: Kysely<any>; statements: CompiledQuery[] } {
  const statements: CompiledQuery[] = [];
  const db = new Kysely<any>({
    dialect: {
      createAdapter: () => new MssqlAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => new MssqlIntrospector(k),
      createQueryCompiler: () => new MssqlQueryCompiler(),
    },
    plugins: [new MssqlPagingPlugin()],
    log: (e) => {
      statements.push(e.query);
    },
  });
  return { db, statements };
}

// No SQL Server runs in CI; these checks keep its statements honest in every run.
// The conformance suite runs against a real one when SHOAL_TEST_MSSQL_URL is set.
describe('SQL Server statements (compiled, no server)', () => {
  it('claims with UPDLOCK, READPAST, ROWLOCK in one statement and returns the rows', () => {
    const { db } = compileOnly();
    const { sql, parameters } = mssqlClaimStatement(claimQuery(mssqlDialect, { nodeName: 'node-a', nodeId: 'id-1', token: 'token-1' })).compile(db);
    assert.match(sql, /with \(updlock, readpast, rowlock\)/);
    assert.match(sql, /output inserted\.\*/);
    assert.match(sql, /select top \(/);
    assert.doesNotMatch(sql, /skip locked|returning|limit /i);
    assert.equal(sql.match(/;/g), null, 'one statement');
    assert.ok(parameters.includes('node-a') && parameters.includes('token-1'));
  });

  it("claims a target's pending agent work with UPDLOCK, READPAST, ROWLOCK in one statement", () => {
    const { db } = compileOnly();
    const { sql: text, parameters } = mssqlAgentWorkClaimStatement({ targetId: 7, limit: 3, assignments: sql`state = 'Running', claim_token = ${'token-2'}` }).compile(db);
    assert.match(text, /from agent_work w with \(updlock, readpast, rowlock\)/);
    assert.match(text, /output inserted\.\*/);
    assert.doesNotMatch(text, /skip locked|returning|limit /i);
    assert.equal(text.match(/;/g), null, 'one statement');
    assert.deepEqual(parameters, [3, 7, 'token-2']);
  });

  it('builds the schema with identity keys and nvarchar(max) text', async () => {
    const { db, statements } = compileOnly();
    await up(db, mssqlDialect);
    const ddl = statements.map((s) => s.sql).join('\n');
    assert.match(ddl, /create table "tasks" \("id" bigint identity primary key/);
    assert.match(ddl, /"arguments" nvarchar\(max\) not null/);
    assert.doesNotMatch(ddl, / text[ ,)]/);
    assert.equal((ddl.match(/create table/g) ?? []).length, 7);
  });

  it('pages with OFFSET … FETCH when ordered and TOP otherwise, never LIMIT', () => {
    const { db } = compileOnly();
    const page = db.selectFrom('tasks').selectAll().orderBy('id', 'desc').limit(30).offset(60).compile();
    assert.match(page.sql, /order by "id" desc offset @1 rows fetch next @2 rows only$/);
    assert.deepEqual(page.parameters, [60, 30]);
    const first = db.selectFrom('users').select('id').limit(1).compile();
    assert.match(first.sql, /^select top\(1\) "id" from "users"$/);
    const ordered = db.selectFrom('tasks').select('id').orderBy('id').limit(1000).compile();
    assert.match(ordered.sql, /offset 0 rows fetch next @1 rows only$/);
    assert.deepEqual(ordered.parameters, [1000]);
    assert.doesNotMatch(page.sql + first.sql + ordered.sql, /\blimit\b/);
  });

  it('parses sqlserver:// URLs', () => {
    const c = parseMssqlUrl('sqlserver://sa:p%40ss@db.example:1444/shoal?trustServerCertificate=true');
    assert.equal(c.server, 'db.example');
    assert.equal(c.options?.port, 1444);
    assert.equal(c.options?.database, 'shoal');
    assert.equal(c.options?.trustServerCertificate, true);
    assert.equal((c.authentication?.options as { password: string }).password, 'p@ss');
  });
});
