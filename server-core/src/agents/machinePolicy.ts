import type { Logger } from 'pino';
import type { MachinePolicy } from '../contract/configuration.js';
import { databaseNow } from '../db/databaseNow.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { everyInterval, type NodeComponent } from '../nodes/lifecycle.js';
import { enqueueTask } from '../queue/enqueue.js';
import { readSetting, SETTING, writeSetting } from '../settings/settings.js';
import { HEALTH_CHECK_KIND } from './healthCheckKind.js';

export const DEFAULT_HEALTH_CHECK_INTERVAL_MINUTES = 60;
/** Periodic checks share this tag: one at a time, a slow one is not joined by the next. */
const PERIODIC_TAG = 'HealthCheck:periodic';

export async function readMachinePolicy(shoal: ShoalDb): Promise<MachinePolicy> {
  const minutes = Number(await readSetting(shoal, SETTING.healthCheckIntervalMinutes));
  return { healthCheckIntervalMinutes: Number.isInteger(minutes) && minutes >= 0 ? minutes : DEFAULT_HEALTH_CHECK_INTERVAL_MINUTES };
}

const hasEnabledTarget = async ({ db }: ShoalDb) => (await db.selectFrom('targets').select('id').where('is_disabled', '=', 0).limit(1).execute()).length > 0;

/** Sets the policy; the next periodic check is one (new) interval from now. */
export async function writeMachinePolicy(shoal: ShoalDb, policy: MachinePolicy): Promise<MachinePolicy> {
  await writeSetting(shoal, SETTING.healthCheckIntervalMinutes, String(policy.healthCheckIntervalMinutes));
  await writeSetting(shoal, SETTING.nextHealthCheckAt, String((await databaseNow(shoal)) + policy.healthCheckIntervalMinutes * 60_000));
  return readMachinePolicy(shoal);
}

/**
 * Queues the periodic health check of every target when it is due, on whichever node gets
 * there first: the due time moves on with a compare-and-set, so each due time gives one
 * check across the cluster. Nothing is queued while the
 * cluster has no enabled target (the due time moves on all the same). Returns the task, if queued.
 */
export async function queueDueHealthCheck(shoal: ShoalDb, o: { expiryMs?: number } = {}): Promise<{ taskId: number } | undefined> {
  const { healthCheckIntervalMinutes: minutes } = await readMachinePolicy(shoal);
  if (minutes === 0) return undefined;
  const due = await readSetting(shoal, SETTING.nextHealthCheckAt);
  if (due === undefined) {
    // The first check is one interval after the cluster first has a target (targets are
    // checked when they connect); a cluster without any is left untouched.
    if (await hasEnabledTarget(shoal)) await writeSetting(shoal, SETTING.nextHealthCheckAt, String((await databaseNow(shoal)) + minutes * 60_000));
    return undefined;
  }
  const now = await databaseNow(shoal);
  if (now < Number(due)) return undefined;
  // One statement decides which node takes this due time. (Not one transaction with the
  // task: a crash between the two loses one periodic check, not the schedule.)
  const moved = await shoal.db
    .updateTable('settings')
    .set({ value: String(now + minutes * 60_000), updated_at: shoal.dialect.now() })
    .where('key', '=', SETTING.nextHealthCheckAt)
    .where('value', '=', due)
    .executeTakeFirst();
  if (Number(moved.numUpdatedRows) !== 1) return undefined; // another node took this due time
  if (!(await hasEnabledTarget(shoal))) return undefined;
  const task = await enqueueTask(shoal, {
    kind: HEALTH_CHECK_KIND,
    description: `Periodic health check of every target (machine policy: every ${minutes} min)`,
    arguments: {},
    concurrencyTag: PERIODIC_TAG,
    expiryMs: o.expiryMs,
  });
  return { taskId: Number(task.id) };
}

/** Every node looks for a due periodic health check every few seconds (see queueDueHealthCheck). */
export function machinePolicyScheduler(o: { shoal: ShoalDb; logger: Logger; queueChanged: () => void; intervalMs?: number; queueExpiryMs?: number }): NodeComponent {
  return everyInterval(
    'machine policy',
    o.intervalMs ?? 5000,
    async () => {
      const queued = await queueDueHealthCheck(o.shoal, { expiryMs: o.queueExpiryMs });
      if (!queued) return;
      o.logger.info({ task: queued.taskId }, 'queued the periodic health check of every target (machine policy)');
      o.queueChanged();
    },
    (err) => o.logger.warn({ err }, 'could not queue the periodic health check'),
  );
}
