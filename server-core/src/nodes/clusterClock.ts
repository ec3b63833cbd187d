import type { ShoalDb } from '../db/dialects/dialect.js';

/** How often the offset from the database clock is measured again. */
const MEASURE_EVERY_MS = 10_000;

/**
 * The database's clock as this node can tell it: this machine's clock corrected by their
 * measured offset (half a round trip of uncertainty). Task logs and the node's own log are
 * stamped with it, so a node whose clock is off does not write times that disagree with
 * the queue's (which the database stamps).
 */
export class ClusterClock {
  private offsetMs = 0;
  private measuredAt = -Infinity;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** Epoch milliseconds on the cluster's clock. */
  nowMs(): number {
    return Date.now() + this.offsetMs;
  }

  /** Measures the offset when the last measurement is old; failures keep the last one. */
  async measure({ db, dialect }: ShoalDb): Promise<void> {
    if (Date.now() - this.measuredAt < MEASURE_EVERY_MS && Date.now() >= this.measuredAt) return;
    const sent = Date.now();
    const row = await db.selectNoFrom(dialect.now().as('now')).executeTakeFirstOrThrow();
    const received = Date.now();
    this.offsetMs = Number(row.now) - (sent + received) / 2;
    this.measuredAt = received;
  }
}
