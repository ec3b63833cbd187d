import type { Logger } from 'pino';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { fireDueTriggers } from './fireDueTriggers.js';
import { triggerName } from './fireDueTriggers.js';

/**
 * Every node looks for due triggers once a second; the database decides which node fires
 * each due time (see fireDueTriggers). Runs it queued wake the executors like any task.
 */
export class TriggerScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly o: { shoal: ShoalDb; nodeName: string; logger: Logger; queueChanged: () => void; intervalMs?: number; queueExpiryMs?: number },
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.o.intervalMs ?? 1000);
    this.timer.unref();
  }

  private tick(): void {
    if (this.running) return;
    this.running = fireDueTriggers(this.o.shoal, this.o.nodeName, { queueExpiryMs: this.o.queueExpiryMs })
      .then((fired) => {
        for (const f of fired) this.o.logger.info({ trigger: triggerName(f.triggerId), dueAt: new Date(f.dueAt).toISOString(), outcome: f.outcome }, f.message);
        if (fired.some((f) => f.taskIds.length)) this.o.queueChanged();
      })
      .catch((err) => this.o.logger.warn({ err }, 'could not fire due triggers'))
      .finally(() => (this.running = undefined));
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
