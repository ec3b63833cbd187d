import type { ShoalDb } from '../db/dialects/dialect.js';
import type { Lease, LeaseLoss } from './lease.js';
import { parseStorageStatus } from './storageStatus.js';

/**
 * What the anonymous health check tells a load balancer: the status code, and in the body
 * only what an operator reading it needs — never paths or problem details (those are in
 * the authenticated GET /api/nodes).
 */
export interface PingResult {
  status: 200 | 418 | 503;
  body: {
    name: string;
    version: string;
    drain: boolean | null;
    runningTasks: number;
    database: 'ok' | 'unreachable';
    /** Whether the node holds its lease (takes tasks); why not, in `error`. */
    lease: 'held' | LeaseLoss;
    /** Whether the node's last shared-storage verification passed; null before the first. */
    storage: { ok: boolean } | null;
    error?: string;
  };
}

class NodeRowMissing extends Error {}

const LOSS_REASON: Record<LeaseLoss, (name: string, sinceMs: number) => string> = {
  'never-held': (name) => `Node ${name} has not yet heartbeated into the database.`,
  expired: (name, since) =>
    `Node ${name} has had no successful heartbeat for ${(since / 1000).toFixed(1)} s: it fenced itself (takes no tasks) until it reaches the database again.`,
  removed: (name) =>
    `Node ${name} is not registered in the cluster (its row was deleted while it was Offline, or another node took its name); restart it to register it again.`,
};

/**
 * Answers the load balancer's health check from at most one database read per
 * second, whatever the request rate; concurrent requests share the read in flight.
 */
export class PingCache {
  private last: { at: number; result: PingResult } | undefined;
  private inFlight: Promise<PingResult> | undefined;

  constructor(
    /** The lease-path connection: a ping answers within its statement timeout, database down or not. */
    private readonly shoal: ShoalDb,
    private readonly lease: Lease,
    private readonly nodeName: string,
    private readonly version: string,
    private readonly runningTasks: () => number,
    private readonly maxAgeMs = 1000,
  ) {}

  /** Drops the cached answer so the next ping reads again (after an operator changes this node). */
  invalidate(): void {
    this.last = undefined;
  }

  async get(): Promise<PingResult> {
    if (this.last && Date.now() - this.last.at < this.maxAgeMs) return this.withLiveCount(this.last.result);
    this.inFlight ??= this.read().finally(() => (this.inFlight = undefined));
    return this.withLiveCount(await this.inFlight);
  }

  private withLiveCount(r: PingResult): PingResult {
    // The lease is this node's own state: it decides at once, not after the cache expires.
    const loss: LeaseLoss | undefined = r.body.lease === 'removed' ? 'removed' : this.lease.loss;
    const body: PingResult['body'] = { ...r.body, runningTasks: this.runningTasks(), lease: loss ?? 'held' };
    if (!loss || r.status === 503) return { ...r, body };
    return { status: 503, body: { ...body, error: LOSS_REASON[loss](this.nodeName, this.lease.sinceRenewalMs()) } };
  }

  private async read(): Promise<PingResult> {
    let result: PingResult;
    try {
      const row = await this.shoal.db
        .selectFrom('nodes')
        .select(['drain', 'storage_status'])
        .where('name', '=', this.nodeName)
        .executeTakeFirst();
      if (!row) throw new NodeRowMissing();
      const drain = !!row.drain;
      const storage = parseStorageStatus(row.storage_status);
      result = {
        status: drain ? 418 : 200,
        body: { name: this.nodeName, version: this.version, drain, runningTasks: 0, database: 'ok', lease: 'held', storage: storage && { ok: storage.ok } },
      };
    } catch (err) {
      const missing = err instanceof NodeRowMissing;
      result = {
        status: 503,
        body: {
          name: this.nodeName, version: this.version, drain: null, runningTasks: 0, database: missing ? 'ok' : 'unreachable',
          lease: missing ? 'removed' : 'expired', storage: null,
          error: missing ? LOSS_REASON.removed(this.nodeName, 0) : 'The node cannot reach its database.',
        },
      };
    }
    this.last = { at: Date.now(), result };
    return result;
  }
}
