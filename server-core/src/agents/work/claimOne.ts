import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { ShoalDb } from '../../db/dialects/dialect.js';
import type { AgentWorkRow } from './claim.js';
import { WORK_LEASE_MS } from './timings.js';

/**
 * Claims one given piece of pending work for the node that delivers it to a listening agent:
 * the same columns a poll's claim sets (Running, a fresh token, the node, a lease on the
 * database clock), guarded by its state in one statement, so it is handed out once whoever
 * asks. Undefined when it is no longer pending (canceled, or failed meanwhile).
 */
export async function claimWorkById({ db, dialect }: ShoalDb, o: { workId: number; nodeName: string }): Promise<AgentWorkRow | undefined> {
  const now = dialect.now();
  const token = crypto.randomBytes(16).toString('hex');
  const r = await db
    .updateTable('agent_work')
    .set({ state: 'Running', claim_token: token, claimed_by: o.nodeName, lease_expires_at: sql<number>`${now} + ${WORK_LEASE_MS}`, started_at: now })
    .where('id', '=', o.workId)
    .where('state', '=', 'Pending')
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) return undefined;
  return db.selectFrom('agent_work').selectAll().where('id', '=', o.workId).where('claim_token', '=', token).executeTakeFirst();
}

/** Pending work that cannot be delivered ends Failed with the reason (guarded: a claim or a cancel that came first wins). */
export async function failPendingWork({ db, dialect }: ShoalDb, workId: number, error: string): Promise<void> {
  await db.updateTable('agent_work').set({ state: 'Failed', error: error.slice(0, 4000), ended_at: dialect.now() }).where('id', '=', workId).where('state', '=', 'Pending').execute();
}
