import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { KyselyPlugin } from 'kysely';
import { migrateToLatest } from '../db/migrations/index.js';
import { openDatabase } from '../db/open.js';
import { registerNode } from '../nodes/registry.js';
import { claimTasks } from '../queue/claim.js';
import { enqueueTask } from '../queue/enqueue.js';
import { makeTempDir, removeTempDirs } from '../testing/tempDir.js';
import { Completions, MAX_PER_STATEMENT } from './completions.js';

after(removeTempDirs);

/** Counts the statements sent through a handle (the real database, observed). */
function counted(): { plugin: KyselyPlugin; updates: () => number } {
  let updates = 0;
  return {
    plugin: {
      transformQuery: (args) => {
        if (args.node.kind === 'UpdateQueryNode') updates++;
        return args.node;
      },
      transformResult: async (args) => args.result,
    },
    updates: () => updates,
  };
}

describe('completions', () => {
  it('outcomes that end together go in one statement per state and message, each recorded under its own token', async () => {
    const shoal = await openDatabase(path.join(makeTempDir('shoal-completions-'), 'shoal.db'));
    try {
      await migrateToLatest(shoal);
      await registerNode(shoal, { name: 'n1', nodeId: 'n1', version: 'v', url: 'u', taskCap: 40 });
      for (let i = 0; i < 30; i++) await enqueueTask(shoal, { kind: 'Test', description: `t${i}`, arguments: {} });
      const rows = await claimTasks(shoal, { nodeName: 'n1', nodeId: 'n1', token: 'claim-1' });
      assert.equal(rows.length, 30);
      const count = counted();
      const completions = new Completions({ ...shoal, db: shoal.db.withPlugin(count.plugin) });

      const results = await Promise.all(
        rows.map((r, i) => completions.record({ taskId: Number(r.id), token: 'claim-1', state: i % 10 === 9 ? 'Failed' : 'Success', message: i % 10 === 9 ? 'exit 1' : null })),
      );
      assert.deepEqual(results, rows.map(() => true));
      // The first alone; the 29 that waited for it in two statements (Success, Failed).
      assert.equal(count.updates(), 3);
      const states = await shoal.db.selectFrom('tasks').select(['state', 'error_message']).where('node_name', '=', 'n1').execute();
      assert.equal(states.filter((s) => s.state === 'Success').length, 27);
      assert.deepEqual(
        states.filter((s) => s.state === 'Failed').map((s) => s.error_message),
        ['exit 1', 'exit 1', 'exit 1'],
      );

      // A group with one stale token is not recorded whole: every member hears false (the
      // executor then reads each task), and the stale one changes nothing.
      const more = [];
      for (let i = 0; i < 3; i++) more.push(await enqueueTask(shoal, { kind: 'Test', description: `m${i}`, arguments: {} }));
      await claimTasks(shoal, { nodeName: 'n1', nodeId: 'n1', token: 'claim-2' });
      void completions.record({ taskId: Number(more[0]!.id), token: 'claim-2', state: 'Success', message: null });
      const grouped = await Promise.all(
        more.slice(1).map((t, i) => completions.record({ taskId: Number(t.id), token: i ? 'claim-2' : 'stale', state: 'Success', message: null })),
      );
      assert.deepEqual(grouped, [false, false]);
      const after = await shoal.db.selectFrom('tasks').select(['id', 'state']).where('id', 'in', more.map((t) => Number(t.id))).orderBy('id').execute();
      assert.deepEqual(after.map((t) => t.state), ['Success', 'Executing', 'Success']);
    } finally {
      await shoal.close();
    }
  });

  it('splits a group too large for one statement (SQL Server takes 2,100 parameters), logs included', async () => {
    const shoal = await openDatabase(path.join(makeTempDir('shoal-completions-'), 'shoal.db'));
    try {
      await migrateToLatest(shoal);
      const n = MAX_PER_STATEMENT + 2;
      await registerNode(shoal, { name: 'n1', nodeId: 'n1', version: 'v', url: 'u', taskCap: n });
      for (let i = 0; i <= n; i++) await enqueueTask(shoal, { kind: 'Test', description: `t${i}`, arguments: {} });
      const rows = await claimTasks(shoal, { nodeName: 'n1', nodeId: 'n1', token: 'claim-1' });
      const count = counted();
      const completions = new Completions({ ...shoal, db: shoal.db.withPlugin(count.plugin) });
      const results = await Promise.all(rows.map((r) => completions.record({ taskId: Number(r.id), token: 'claim-1', state: 'Success', message: null }, `log of ${r.id}`)));
      assert.deepEqual(results, rows.map(() => true));
      // The first alone; the rest, which waited for it, in two statements.
      assert.equal(count.updates(), 3);
      const logs = await shoal.db.selectFrom('tasks').select(['id', 'log_text']).where('node_name', '=', 'n1').execute();
      assert.deepEqual(logs.map((t) => t.log_text), logs.map((t) => `log of ${t.id}`));
    } finally {
      await shoal.close();
    }
  });
});
