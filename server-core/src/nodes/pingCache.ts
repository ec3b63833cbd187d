import type { ShoalDb } from '../db/dialects/dialect.js';
import { parseStorageStatus } from '../storage/verify.js';

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
    /** Whether the node's last shared-storage verification passed; null before the first. */
    storage: { ok: boolean } | null;
    error?: string;
  };
}

/**
 * Answers the load balancer's health check from at most one database read per
 * second, whatever the request rate; concurrent requests share the read in flight.
 */
export class PingCache {
  private last: { at: number; result: PingResult } | undefined;
  private inFlight: Promise<PingResult> | undefined;

  constructor(
    private readonly shoal: ShoalDb,
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
    return { ...r, body: { ...r.body, runningTasks: this.runningTasks() } };
  }

  private async read(): Promise<PingResult> {
    let result: PingResult;
    try {
      const row = await this.shoal.db
        .selectFrom('nodes')
        .select(['drain', 'storage_status'])
        .where('name', '=', this.nodeName)
        .executeTakeFirst();
      const drain = !!row?.drain;
      const storage = parseStorageStatus(row?.storage_status);
      result = {
        status: drain ? 418 : 200,
        body: { name: this.nodeName, version: this.version, drain, runningTasks: 0, database: 'ok', storage: storage && { ok: storage.ok } },
      };
    } catch (err) {
      result = {
        status: 503,
        body: { name: this.nodeName, version: this.version, drain: null, runningTasks: 0, database: 'unreachable', storage: null, error: 'The node cannot reach its database.' },
      };
    }
    this.last = { at: Date.now(), result };
    return result;
  }
}
