/**
 * The failure model's clock, in one place (the README's "Failures" section states these
 * numbers; GET /api/configuration/failover serves them to the portal and the desktop app).
 *
 *   0 s    last heartbeat that reached the database (the lease starts when it was sent)
 *   …      a beat every HEARTBEAT_INTERVAL_MS; each lease-path statement ends within
 *          LEASE_STATEMENT_TIMEOUT_MS, so failures are logged within a beat or two
 *   4 s    FENCE_AFTER_MS by the node's monotonic clock: it stops claiming and kills its
 *          scripts (their supervisors do too, even when the node is frozen or dead)
 *   8 s    OFFLINE_AFTER_MS by the database clock: any other node may end its tasks Failed
 *
 * Chosen from measurements on a 2-core machine with every core saturated by other work
 * (test/faults' CPU hog: 0 false Offlines, heartbeat latency p99 well under a second) and
 * `kill -9` failover benchmarks (test/bench): tasks of a dead node end within 8–9 s.
 */
export const HEARTBEAT_INTERVAL_MS = 1000;
/** A node whose last heartbeat is older than this (database clock) is Offline. */
export const OFFLINE_AFTER_MS = 8000;
/** A node fences itself this long after the last heartbeat it sent that succeeded. */
export const FENCE_AFTER_MS = OFFLINE_AFTER_MS / 2;
/** Lease-path statements (heartbeat, claim, complete, sweep, ping): connect and answer within this. */
export const LEASE_STATEMENT_TIMEOUT_MS = 1500;

export interface FailoverTimings {
  heartbeatIntervalMs: number;
  fenceAfterMs: number;
  offlineAfterMs: number;
  leaseStatementTimeoutMs: number;
}

export const failoverTimings = (): FailoverTimings => ({
  heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
  fenceAfterMs: FENCE_AFTER_MS,
  offlineAfterMs: OFFLINE_AFTER_MS,
  leaseStatementTimeoutMs: LEASE_STATEMENT_TIMEOUT_MS,
});
