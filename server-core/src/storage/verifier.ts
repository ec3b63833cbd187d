import type { Logger } from 'pino';
import type { ShoalDb } from '../db/dialects/dialect.js';
import type { StoragePaths } from './paths.js';
import type { StorageStatus } from '../contract/nodes.js';
import { saveNonce, saveStorageStatus } from '../nodes/storageStatus.js';
import { shareCapabilities } from './shareCapabilities.js';
import { newStorageNonce, verifySharedStorage, writeMarkers } from './verify.js';

/**
 * One node's side of shared-storage verification: markers written at start and on every
 * heartbeat (so a folder emptied by hand heals), the check run, and its verdict stored in
 * the node's row for the Nodes page, the ping body and the other nodes. A problem is
 * reported when two consecutive checks find it, so a peer's restart or path change (markers
 * follow on its next heartbeat) does not raise a false alarm.
 */
export class StorageVerifier {
  readonly nonce = newStorageNonce();
  private last: StorageStatus | undefined;
  /** Problems of the previous check, reported or not. */
  private previous = new Set<string>();
  private running: Promise<StorageStatus> | undefined;

  constructor(
    private readonly shoal: ShoalDb,
    /** The node's live storage paths (updated in place when the cluster's change). */
    private readonly paths: StoragePaths,
    private readonly nodeName: string,
    private readonly logger: Logger,
  ) {}

  get status(): StorageStatus | undefined {
    return this.last;
  }

  /** Markers first, then the nonce: another node never expects a marker not yet written. */
  async start(): Promise<void> {
    await writeMarkers(this.paths, this.nodeName, this.nonce);
    await saveNonce(this.shoal, this.nodeName, this.nonce);
    await this.check();
  }

  /** Runs one check (or joins the one in flight) and records it. */
  check(): Promise<StorageStatus> {
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(): Promise<StorageStatus> {
    // What the packages share supports, probed once per path (at start and after a change) and logged.
    void shareCapabilities(this.paths.packages, this.logger).catch((err) => this.logger.warn({ err: (err as Error).message }, 'could not probe the packages storage'));
    const writeFailures = await writeMarkers(this.paths, this.nodeName, this.nonce);
    const status = await verifySharedStorage(this.shoal, this.paths, this.nodeName);
    status.problems.unshift(...writeFailures.filter((f) => !status.problems.some((p) => p.startsWith(f.split(':')[0]!))));
    // A problem counts once two checks in a row (a heartbeat apart) find it: a node that has
    // just started, or just taken new paths, writes its markers on its next beat.
    const seen = status.problems;
    status.problems = seen.filter((p) => this.previous.has(p));
    this.previous = new Set(seen);
    status.ok = status.problems.length === 0;
    const changed = JSON.stringify(status.problems) !== JSON.stringify(this.last?.problems);
    this.last = status;
    if (changed) {
      if (status.ok) this.logger.info('shared storage verified: this node sees the same storage folders as every other online node');
      else this.logger.warn({ problems: status.problems }, 'SHARED STORAGE PROBLEM: this node does not see the same storage as the rest of the cluster');
    }
    await saveStorageStatus(this.shoal, this.nodeName, status);
    return status;
  }
}
