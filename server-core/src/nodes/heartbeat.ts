import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { ShoalDb } from '../db/dialects/dialect.js';
import type { Lease } from './lease.js';
import { HEARTBEAT_INTERVAL_MS, OFFLINE_AFTER_MS } from '../queue/leaseTimings.js';
import { heartbeat } from './registry.js';

export interface HeartbeatOptions {
  /** The lease-path connection (statement timeouts shorter than the fence). */
  shoal: ShoalDb;
  nodeName: string;
  nodeId: string;
  lease: Lease;
  logger: Logger;
  intervalMs?: number;
  /** After every successful beat. */
  onBeat?: () => void;
}

/** How often the lease is checked between beats, so a fence is never late by more than this. */
const WATCHDOG_MS = 100;
/**
 * A watchdog tick this late means the node itself did not run (a blocked event loop, a process
 * starved of CPU, SIGSTOP): said in the log, so a lease lost that way is told from a slow database.
 */
export const STALL_WARN_MS = 1000;

/**
 * Beats into the database every interval and renews the lease with each beat that lands.
 * A watchdog checks the lease on its own timer, so the node fences on time even while a
 * beat hangs in a partition. A beat that finds no row of this node (deleted while it was
 * Offline, or its name taken over) ends the lease for good: the node takes no tasks and
 * says why until it is restarted.
 */
export class Heartbeat {
  private beatTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private inFlight: { sentAt: number; warned: boolean } | undefined;
  private lastWatchAt = performance.now();
  /** When the current run of successful beats began (monotonic), or undefined after a failure. */
  private contactSince: number | undefined;
  private failures = 0;

  constructor(private readonly o: HeartbeatOptions) {}

  start(): void {
    this.lastWatchAt = performance.now();
    this.beatTimer = setInterval(() => void this.beat(), this.o.intervalMs ?? HEARTBEAT_INTERVAL_MS);
    this.watchdog = setInterval(() => this.watch(), WATCHDOG_MS);
    this.beatTimer.unref();
    this.watchdog.unref();
  }

  stop(): void {
    clearInterval(this.beatTimer);
    clearInterval(this.watchdog);
  }

  /**
   * Whether this node has been in contact with the database, beat after beat, for a whole
   * offline threshold: only then can it tell that another node has been silent that long.
   * After an outage every node's last beat looks old; nobody sweeps until they had time to beat.
   */
  mayJudgeOthers(): boolean {
    return this.contactSince !== undefined && performance.now() - this.contactSince >= OFFLINE_AFTER_MS;
  }

  private watch(): void {
    const now = performance.now();
    const stalledMs = now - this.lastWatchAt - WATCHDOG_MS;
    this.lastWatchAt = now;
    if (stalledMs >= STALL_WARN_MS) {
      this.o.logger.warn(
        { stalledMs: Math.round(stalledMs), sinceLastBeatMs: Math.round(this.o.lease.sinceRenewalMs()) },
        'this node did not run for a while (its event loop was blocked, or the process starved of CPU or frozen): no heartbeat could go out meanwhile',
      );
    }
    const beat = this.inFlight;
    const interval = this.o.intervalMs ?? HEARTBEAT_INTERVAL_MS;
    if (beat && !beat.warned && performance.now() - beat.sentAt > interval) {
      beat.warned = true;
      this.o.logger.warn({ waitingMs: Math.round(performance.now() - beat.sentAt), sinceLastBeatMs: Math.round(this.o.lease.sinceRenewalMs()) }, 'heartbeat is late: the database has not answered');
    }
    this.o.lease.check();
  }

  async beat(): Promise<void> {
    if (this.inFlight || this.o.lease.loss === 'removed') return;
    // First the lease as it stands (after a freeze, this fences before anything else runs).
    this.o.lease.check();
    const sentAt = performance.now();
    this.inFlight = { sentAt, warned: false };
    try {
      const mine = await heartbeat(this.o.shoal, this.o.nodeName, this.o.nodeId);
      if (!mine) {
        this.o.logger.error(
          `node ${this.o.nodeName} is no longer registered in the cluster (its row was deleted while it was Offline, or another node took its name): ` +
            'it takes no tasks and its ping answers 503. Restart it to register it again.',
        );
        this.o.lease.remove();
        return;
      }
      if (this.failures) this.o.logger.info({ failedBeats: this.failures }, 'heartbeat restored');
      this.failures = 0;
      this.contactSince ??= sentAt;
      this.o.lease.renew(sentAt);
      this.o.onBeat?.();
    } catch (err) {
      this.failures++;
      this.contactSince = undefined;
      this.o.logger.warn({ err: (err as Error).message, sinceLastBeatMs: Math.round(this.o.lease.sinceRenewalMs()) }, 'heartbeat failed');
    } finally {
      this.inFlight = undefined;
    }
  }
}
