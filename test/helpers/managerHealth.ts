import type { ManagerCore } from '../../manager/src/index.js';
import type { ClusterHealth } from '../../manager/src/health/clusterHealth.js';
import { waitFor } from '../../server-core/src/testing/wait.js';

/** Waits until the manager's card of a connection satisfies `ok`; returns that card. */
export function waitForHealth(core: ManagerCore, connectionId: string, ok: (h: ClusterHealth) => boolean, message: string, timeoutMs = 10_000): Promise<ClusterHealth> {
  return waitFor(
    () => {
      const h = core.watcher.health(connectionId);
      return h && ok(h) ? h : undefined;
    },
    { timeoutMs, intervalMs: 50, message },
  );
}
