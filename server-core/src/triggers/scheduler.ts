import type { Logger } from 'pino';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { everyInterval, type NodeComponent } from '../nodes/lifecycle.js';
import { fireDueTriggers, triggerName } from './fireDueTriggers.js';

/**
 * Every node looks for due triggers once a second; the database decides which node fires
 * each due time (see fireDueTriggers). Runs it queued wake the executors like any task.
 */
export function triggerScheduler(o: { shoal: ShoalDb; nodeName: string; logger: Logger; queueChanged: () => void; intervalMs?: number; queueExpiryMs?: number }): NodeComponent {
  return everyInterval(
    'trigger scheduler',
    o.intervalMs ?? 1000,
    async () => {
      const fired = await fireDueTriggers(o.shoal, o.nodeName, { queueExpiryMs: o.queueExpiryMs });
      for (const f of fired) o.logger.info({ trigger: triggerName(f.triggerId), dueAt: new Date(f.dueAt).toISOString(), outcome: f.outcome }, f.message);
      if (fired.some((f) => f.taskIds.length)) o.queueChanged();
    },
    (err) => o.logger.warn({ err }, 'could not fire due triggers'),
  );
}
