import type { Logger } from 'pino';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { HEARTBEAT_INTERVAL_MS, OFFLINE_AFTER_MS, heartbeat } from './registry.js';

export interface HeartbeatOptions {
  shoal: ShoalDb;
  nodeName: string;
  logger: Logger;
  intervalMs?: number;
  /** Called when the node can no longer prove it is alive (true) and when it can again (false). */
  onFenced: (fenced: boolean) => void;
  /** Called after every successful beat. */
  onBeat?: () => void;
}

/**
 * Beats into the database every interval. A node that has not managed to beat for
 * half the offline threshold fences itself: the rest of the cluster will soon treat
 * it as Offline and end its tasks, so it must stop claiming and stop running them.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private lastOk = Date.now();
  private fenced = false;

  constructor(private readonly o: HeartbeatOptions) {}

  start(): void {
    const interval = this.o.intervalMs ?? HEARTBEAT_INTERVAL_MS;
    this.timer = setInterval(() => void this.beat(), interval);
    this.timer.unref();
  }

  async beat(): Promise<void> {
    try {
      await heartbeat(this.o.shoal, this.o.nodeName);
      this.lastOk = Date.now();
      if (this.fenced) {
        this.fenced = false;
        this.o.logger.info('heartbeat restored; claiming tasks again');
        this.o.onFenced(false);
      }
      this.o.onBeat?.();
    } catch (err) {
      const silentFor = Date.now() - this.lastOk;
      this.o.logger.warn({ err: (err as Error).message, silentFor }, 'heartbeat failed');
      if (!this.fenced && silentFor >= OFFLINE_AFTER_MS / 2) {
        this.fenced = true;
        this.o.logger.error('cannot heartbeat for half the offline threshold; fencing this node');
        this.o.onFenced(true);
      }
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
