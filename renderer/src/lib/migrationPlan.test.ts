import assert from 'node:assert/strict';
import { test } from 'node:test';
import { currentActivity, folderOf, hidePassword, inWords, jobStep, needsDrain, planTotals, progressLines, sumLines } from './migrationPlan';
import type { MigrationStatus } from '@shoal/server-core/contract';

test('server messages read as sentences, with the form’s names for fields', () => {
  assert.equal(inWords('targetUrl must be a postgres:// or sqlserver:// URL'), 'The database URL must be a postgres:// or sqlserver:// URL.');
  assert.equal(inWords('storageRoot must be an absolute path (or a UNC path)'), 'The shared storage root must be an absolute path (or a UNC path).');
  assert.equal(inWords('body/targetUrl must NOT have fewer than 1 characters'), 'The database URL must NOT have fewer than 1 characters.');
  assert.equal(inWords('Already a sentence.'), 'Already a sentence.');
});

test('the drain helper answers the “is running” and “tasks still running” checks only', () => {
  assert.ok(needsDrain('Node desk is running; stop it, or drain it and wait for its tasks to finish.'));
  assert.ok(needsDrain('Tasks are still running on the standalone node; wait for them or cancel them.'));
  assert.ok(!needsDrain('The target database postgres://x@h/db is not empty and is not a Shoal database.'));
});

test('plan totals', () => {
  const totals = planTotals({
    tables: [
      { name: 'users', rows: 1 },
      { name: 'tasks', rows: 40 },
    ],
    storage: [
      { kind: 'packages', from: '/a', to: '/b', files: [{ relative: 'p.zip', size: 1000 }], bytes: 1000 },
      { kind: 'taskLogs', from: '/a', to: '/b', files: [{ relative: '1.log', size: 10 }, { relative: '2.log', size: 20 }], bytes: 30 },
    ],
  });
  assert.deepEqual(totals, { tables: 2, rows: 41, files: 3, bytes: 1030 });
});

test('progress lines: the plan’s order, reported counts, not-started ones at 0, empty ones full once reached', () => {
  const lines = progressLines({ tasks: { done: 10, total: 40 }, users: { done: 1, total: 1 }, events: { done: 0, total: 0 } }, [
    { name: 'users', total: 1 },
    { name: 'tasks', total: 40 },
    { name: 'spaces', total: 2 },
  ]);
  assert.deepEqual(
    lines.map((l) => [l.name, l.done, l.total, l.percent, l.started]),
    [
      ['users', 1, 1, 100, true],
      ['tasks', 10, 40, 25, true],
      ['spaces', 0, 2, 0, false],
      ['events', 0, 0, 100, true],
    ],
  );
  assert.deepEqual(sumLines(lines), { done: 11, total: 43 });
  assert.deepEqual(sumLines([]), { done: 0, total: 0 });
});

test('the current activity: a table or storage kind being copied, else the server’s step', () => {
  const tables = progressLines({ users: { done: 1, total: 1 }, tasks: { done: 1000, total: 2500 } });
  const noFiles = progressLines({});
  assert.equal(currentActivity('Creating the schema on the target', tables, noFiles), 'Copying the rows of tasks (1,000 of 2,500 rows)');
  const doneTables = progressLines({ users: { done: 1, total: 1 } });
  const files = progressLines({ packages: { done: 6, total: 6 }, taskLogs: { done: 12, total: 30 } });
  assert.equal(currentActivity('Creating the schema on the target', doneTables, files), 'Copying task logs (12 of 30 files)');
  const allDone = progressLines({ packages: { done: 6, total: 6 } });
  assert.equal(currentActivity('Verifying row counts, table checksums and file hashes', doneTables, allDone), 'Verifying row counts, table checksums and file hashes');
  assert.equal(currentActivity(null, [], []), 'Starting');
});

test('the job’s state decides the step; idle leaves it to the operator', () => {
  const s = (state: MigrationStatus['state']) => ({ state }) as MigrationStatus;
  assert.equal(jobStep(null), null);
  assert.equal(jobStep(s('idle')), null);
  assert.equal(jobStep(s('running')), 'progress');
  assert.equal(jobStep(s('failed')), 'progress');
  assert.equal(jobStep(s('succeeded')), 'result');
});

test('passwords are hidden from URLs on screen; folders of POSIX and Windows paths', () => {
  assert.equal(hidePassword('postgres://shoal:s3cr%40t@db:5432/shoal'), 'postgres://shoal:•••@db:5432/shoal');
  assert.equal(hidePassword('postgres://shoal@db/shoal'), 'postgres://shoal@db/shoal');
  assert.equal(folderOf('/var/lib/shoal/shoal.config.json'), '/var/lib/shoal');
  assert.equal(folderOf('C:\\ProgramData\\Shoal\\shoal.config.json'), 'C:\\ProgramData\\Shoal');
});
