/**
 * A separate process that claims and completes tasks for one node on a SQLite file, to
 * race other processes for real. Usage: sqliteClaimer.ts <db file> <node name> <cap> <total tasks>
 * Prints one JSON line per claim ({claimed, activeInDb}) and exits when `total` tasks have
 * ended (whoever ran them) or after 40 s. It heartbeats as a node does (its identity is its
 * name), since a node claims only inside its lease.
 */
import crypto from 'node:crypto';
import { openDatabase } from '../db/open.js';
import { heartbeat } from '../nodes/registry.js';
import { claimTasks } from '../queue/claim.js';
import { completeTask } from '../queue/complete.js';

const [file, nodeName, capText, totalText] = process.argv.slice(2);
const cap = Number(capText);
const total = Number(totalText);
const shoal = await openDatabase(file!);
const deadline = Date.now() + 40_000;
const pending: Promise<unknown>[] = [];
let lastBeat = 0;
try {
  while (Date.now() < deadline) {
    const done = await shoal.db
      .selectFrom('tasks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', '=', 'Success')
      .executeTakeFirstOrThrow();
    if (Number(done.n) >= total) break;
    if (Date.now() - lastBeat > 500) {
      await heartbeat(shoal, nodeName!, nodeName!);
      lastBeat = Date.now();
    }
    const token = crypto.randomUUID();
    const claimed = await claimTasks(shoal, { nodeName: nodeName!, nodeId: nodeName!, token });
    const active = await shoal.db
      .selectFrom('tasks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('node_name', '=', nodeName!)
      .where('state', 'in', ['Executing', 'Cancelling'])
      .executeTakeFirstOrThrow();
    if (claimed.length) process.stdout.write(`${JSON.stringify({ claimed: claimed.map((r) => Number(r.id)), activeInDb: Number(active.n), cap })}\n`);
    for (const row of claimed) {
      pending.push(
        new Promise((r) => setTimeout(r, Math.random() * 10)).then(() => completeTask(shoal, Number(row.id), token, 'Success', null)),
      );
    }
    await new Promise((r) => setTimeout(r, claimed.length ? 0 : 2));
  }
  await Promise.all(pending);
} finally {
  await shoal.close();
}
