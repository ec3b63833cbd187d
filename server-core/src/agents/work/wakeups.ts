import type { QueueListener, ShoalDb } from '../../db/dialects/dialect.js';
import { localAgentWork } from './enqueue.js';
import { AGENT_WORK_CHANNEL } from './timings.js';

/**
 * Wakes the polls this node holds when work is queued: at once for work queued on this node,
 * through LISTEN/NOTIFY for work queued on others (PostgreSQL), else by a short poll.
 */
export class AgentWorkWakeups {
  private waiters = new Set<() => void>();
  private listener: QueueListener | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly local = () => this.wake();

  constructor(private readonly shoal: ShoalDb, private readonly onError: (err: Error) => void) {}

  start(): void {
    localAgentWork.on('queued', this.local);
    this.listener = this.shoal.listen(AGENT_WORK_CHANNEL, () => this.wake(), this.onError);
    if (!this.listener && this.shoal.dialect.sharedByNodes) this.timer = setInterval(() => this.wake(), this.shoal.dialect.wakeUpPollMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    localAgentWork.off('queued', this.local);
    await this.listener?.close();
    this.wake();
  }

  wake(): void {
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const w of waiting) w();
  }

  /** Resolves at the next wake-up, or after `ms`, or when `signal` aborts. */
  wait(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
  }
}
