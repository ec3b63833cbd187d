import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { FENCE_AFTER_MS } from '../queue/leaseTimings.js';

/** Why the node holds no lease; said by the ping and in the log. */
export type LeaseLoss = 'never-held' | 'expired' | 'removed';

interface LeaseEvents {
  /** The lease ran out: stop claiming, end every script now. */
  fenced: [LeaseLoss];
  /** A heartbeat renewed it; `remainingMs` is how long it holds from now without another. */
  renewed: [remainingMs: number];
}

/**
 * This node's lease as the node itself measures it: on a monotonic clock (never the wall
 * clock, which NTP or an operator may move), from the moment the last heartbeat that
 * succeeded was *sent*. It ends FENCE_AFTER_MS later whatever database calls are doing;
 * `check()` fences synchronously, so any lease-path action that calls it first (claim,
 * record an outcome) cannot run on a lease that ran out — after SIGSTOP/SIGCONT too.
 */
export class Lease extends EventEmitter<LeaseEvents> {
  private renewedAt: number | undefined;
  private lost: LeaseLoss | undefined = 'never-held';

  constructor(
    private readonly fenceAfterMs = FENCE_AFTER_MS,
    private readonly clock: () => number = () => performance.now(),
  ) {
    super();
    this.setMaxListeners(0); // every running script's supervisor follows the renewals
  }

  /** A heartbeat sent at `sentAt` (this clock) reached the database. */
  renew(sentAt: number): void {
    if (this.lost === 'removed') return;
    if (this.renewedAt !== undefined && sentAt < this.renewedAt) return;
    this.renewedAt = sentAt;
    if (this.remainingMs() <= 0) return;
    this.lost = undefined;
    this.emit('renewed', this.remainingMs());
  }

  /** The node's row is gone or another identity's: no heartbeat can renew the lease again. */
  remove(): void {
    this.renewedAt = undefined;
    this.fence('removed');
  }

  remainingMs(): number {
    return this.renewedAt === undefined ? 0 : this.fenceAfterMs - (this.clock() - this.renewedAt);
  }

  /** Milliseconds since the last successful heartbeat was sent (Infinity before the first). */
  sinceRenewalMs(): number {
    return this.renewedAt === undefined ? Infinity : this.clock() - this.renewedAt;
  }

  /** Whether the lease holds now; fences at once when it has just run out. */
  check(): boolean {
    if (this.lost) return false;
    if (this.remainingMs() > 0) return true;
    this.fence('expired');
    return false;
  }

  /** Why there is no lease, or undefined while it holds. */
  get loss(): LeaseLoss | undefined {
    this.check();
    return this.lost;
  }

  private fence(why: LeaseLoss): void {
    const was = this.lost;
    this.lost = why;
    if (was === undefined || (why === 'removed' && was !== 'removed')) this.emit('fenced', why);
  }
}
