import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, beforeEach, describe, it } from 'node:test';
import { migrateToLatest } from '../db/migrations/index.js';
import { openDatabase } from '../db/open.js';
import { registerNode } from '../nodes/registry.js';
import { makeTempDir, removeTempDirs } from '../testing/tempDir.js';
import { enqueueTask } from './enqueue.js';
import { queueConformance } from '../testing/queueConformance.js';

after(removeTempDirs);

// A fresh SQLite file for every test; every `open` inside one test is a new handle to it.
let file = '';
beforeEach(() => {
  file = path.join(makeTempDir('shoal-queue-'), 'shoal.db');
});

queueConformance('sqlite', () => openDatabase(file));

describe('sqlite: claims racing from separate processes', () => {
  it('no task is claimed twice and no node exceeds its cap', async () => {
    const shoal = await openDatabase(file);
    const TOTAL = 80;
    const caps: Record<string, number> = { p1: 3, p2: 2 };
    try {
      await migrateToLatest(shoal);
      for (const [name, cap] of Object.entries(caps)) await registerNode(shoal, { name, nodeId: name, version: 'v', url: 'u', taskCap: cap });
      for (let i = 0; i < 10; i++) await enqueueTask(shoal, { kind: 'Test', description: `early ${i}`, arguments: {} });

      const script = fileURLToPath(new URL('../testing/sqliteClaimer.ts', import.meta.url));
      // Two processes per node: they compete for the same node's slots as well as for tasks.
      const workers = Object.entries(caps).flatMap(([name, cap]) =>
        [0, 1].map(() => {
          const child = spawn(process.execPath, ['--import', 'tsx', script, file, name, String(cap), String(TOTAL)], {
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let out = '';
          let err = '';
          child.stdout.on('data', (c) => (out += c));
          child.stderr.on('data', (c) => (err += c));
          const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
          return { name, exited, out: () => out, err: () => err };
        }),
      );
      // Keep enqueueing while they claim.
      for (let i = 10; i < TOTAL; i++) {
        await enqueueTask(shoal, { kind: 'Test', description: `late ${i}`, arguments: {} });
        if (i % 5 === 0) await new Promise((r) => setTimeout(r, 5));
      }
      const codes = await Promise.all(workers.map((w) => w.exited));
      for (const [i, w] of workers.entries()) assert.equal(codes[i], 0, `claimer ${w.name} failed: ${w.err()}`);

      const claimedBy = new Map<number, string>();
      const problems: string[] = [];
      for (const w of workers) {
        for (const line of w.out().split('\n').filter(Boolean)) {
          const { claimed, activeInDb, cap } = JSON.parse(line) as { claimed: number[]; activeInDb: number; cap: number };
          if (activeInDb > cap) problems.push(`${w.name} had ${activeInDb} active tasks, cap ${cap}`);
          for (const id of claimed) {
            if (claimedBy.has(id)) problems.push(`task ${id} claimed twice`);
            claimedBy.set(id, w.name);
          }
        }
      }
      assert.deepEqual(problems, []);
      assert.equal(claimedBy.size, TOTAL);
      const states = await shoal.db.selectFrom('tasks').select(['state', 'node_name']).execute();
      assert.ok(states.every((s) => s.state === 'Success'), 'every task ran to the end');
      assert.deepEqual(new Set(states.map((s) => s.node_name)), new Set(['p1', 'p2']));
    } finally {
      await shoal.close();
    }
  });
});
