import type { QueueListener, ShoalDb } from '../../db/dialects/dialect.js';
import { localAgentWork } from './enqueue.js';
import { AGENT_WORK_CHANNEL } from './timings.js';

/**
 * Wakes the polls this node holds when work is queued for their target: at once for work
 * queued on this node, through LISTEN/NOTIFY (the target in the payload) for work queued on
 * others (PostgreSQL), else by a short poll that wakes them all. Only the target's own polls
 * look, so a queued piece of work costs one claim, not one per connected agent.
 */
export class AgentWorkWakeups {
  /** Waiting polls by target. */
  private waiters = new Map<number, Set<() => void>>();
  private listener: QueueListener | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly local = (targetId?: number) => this.wake(targetId);

  constructor(private readonly shoal: ShoalDb, private readonly onError: (err: Error) => void) {}

  start(): void {
    localAgentWork.on('queued', this.local);
    this.listener = this.shoal.listen(AGENT_WORK_CHANNEL, (payload) => this.wake(payload === undefined ? undefined : Number(payload)), this.onError);
    if (!this.listener && this.shoal.dialect.sharedByNodes) this.timer = setInterval(() => this.wake(), this.shoal.dialect.wakeUpPollMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    localAgentWork.off('queued', this.local);
    await this.listener?.close();
    this.wake();
  }

  /** Wakes the polls of `targetId`, or every poll when it is not known (a reconnect, a poll timer, a stop). */
  wake(targetId?: number): void {
    const sets = targetId === undefined || !Number.isSafeInteger(targetId) ? [...this.waiters.values()] : [this.waiters.get(targetId) ?? new Set<() => void>()];
    for (const set of sets) for (const w of [...set]) w();
  }

  /** Resolves at the next wake-up for `targetId`, or after `ms`, or when `signal` aborts. */
  wait(targetId: number, ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let set = this.waiters.get(targetId);
      if (!set) this.waiters.set(targetId, (set = new Set()));
      const mine = set;
      const done = () => {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        mine.delete(done);
        if (!mine.size && this.waiters.get(targetId) === mine) this.waiters.delete(targetId);
        resolve();
      };
      const t = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      mine.add(done);
    });
  }
}
