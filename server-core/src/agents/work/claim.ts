import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Selectable } from 'kysely';
import type { ShoalDb } from '../../db/dialects/dialect.js';
import type { AgentWorkTable } from '../../db/schema.js';
import { WORK_LEASE_MS } from './timings.js';

export type AgentWorkRow = Selectable<AgentWorkTable>;

/**
 * Claims a target's oldest pending work for an agent's poll, in one statement per dialect:
 * Running, a fresh token, the node that handed it out, and a lease on the database clock.
 */
export async function claimAgentWork({ db, dialect }: ShoalDb, o: { targetId: number; limit: number; nodeName: string }): Promise<AgentWorkRow[]> {
  if (o.limit <= 0) return [];
  const now = dialect.now();
  const token = crypto.randomBytes(16).toString('hex');
  const rows = await dialect.claimAgentWork(db, {
    targetId: o.targetId,
    limit: o.limit,
    assignments: sql`state = 'Running', claim_token = ${token}, claimed_by = ${o.nodeName}, lease_expires_at = ${now} + ${WORK_LEASE_MS}, started_at = ${now}`,
  });
  return (rows as unknown as AgentWorkRow[]).sort((a, b) => Number(a.id) - Number(b.id));
}
