import { EventEmitter } from 'node:events';
import type { ShoalDb } from '../../db/dialects/dialect.js';
import { insertReturning } from '../../db/insertReturning.js';
import { encryptValue } from '../../secrets/masterKey.js';
import { AGENT_WORK_CHANNEL } from './timings.js';

/** Work queued in this process: polls held here wake at once, whatever the database. */
export const localAgentWork = new EventEmitter().setMaxListeners(0);

export type AgentWorkKind = 'Script' | 'HealthCheck' | 'DeployPackage';

/**
 * Pending work for one target, in the shared database: whichever node the agent polls hands it
 * out. The payload (a script with its substituted, possibly sensitive values) is sealed with the
 * master key, as sensitive variables are.
 */
export async function enqueueAgentWork(
  shoal: ShoalDb,
  masterKey: Buffer,
  w: { targetId: number; taskId: number | null; activityId: number | null; kind: AgentWorkKind; payload: unknown },
): Promise<number> {
  const row = await insertReturning(shoal, 'agent_work', {
    target_id: w.targetId,
    task_id: w.taskId,
    activity_id: w.activityId,
    kind: w.kind,
    payload: encryptValue(masterKey, JSON.stringify(w.payload ?? {})),
    state: 'Pending',
    claim_token: null,
    claimed_by: null,
    lease_expires_at: null,
    exit_code: null,
    error: null,
    result: null,
    created_at: shoal.dialect.now(),
    started_at: null,
    ended_at: null,
  });
  // Named by target: only that target's held polls look for it.
  localAgentWork.emit('queued', w.targetId);
  await shoal.dialect.notify(shoal.db, AGENT_WORK_CHANNEL, String(w.targetId));
  return Number(row.id);
}
