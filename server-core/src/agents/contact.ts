import type { AgentPollBody } from '../contract/targets.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { notifyQueueChanged } from '../queue/notify.js';
import { enqueueTask } from '../queue/enqueue.js';
import { formatId } from '../resources/ids.js';
import { HEALTH_CHECK_KIND } from './healthCheckKind.js';

/**
 * Every poll is a sign of life (database clock) with the agent's version and OS. The first
 * poll of a target ever queues its first health check; returns whether it did.
 */
export async function recordContact(shoal: ShoalDb, targetId: number, name: string, body: Pick<AgentPollBody, 'agentVersion' | 'os'>): Promise<boolean> {
  if (!(await touchContact(shoal, targetId, body))) return false;
  await queueFirstHealthCheck(shoal, targetId, name);
  return true;
}

/** Records a contact (database clock) with the agent's version and OS; whether it was the first ever. */
export async function touchContact({ db, dialect }: ShoalDb, targetId: number, body: Pick<AgentPollBody, 'agentVersion' | 'os'>): Promise<boolean> {
  await db.updateTable('targets').set({ last_contact: dialect.now(), agent_version: body.agentVersion, os: body.os }).where('id', '=', targetId).execute();
  const first = await db.updateTable('targets').set({ first_contact: dialect.now() }).where('id', '=', targetId).where('first_contact', 'is', null).executeTakeFirst();
  return Number(first.numUpdatedRows) === 1;
}

/** A target's first health check, queued (and the executors woken) as soon as it can be reached. */
export async function queueFirstHealthCheck(shoal: ShoalDb, targetId: number, name: string): Promise<void> {
  await enqueueTask(shoal, { kind: HEALTH_CHECK_KIND, description: `Health check of ${name} (first contact)`, arguments: { targetIds: [formatId('target', targetId)] } });
  await notifyQueueChanged(shoal);
}
