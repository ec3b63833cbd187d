/**
 * When to check a cluster next: every interval while it answers; after failures, the interval
 * doubled per failure in a row, up to `maxMs`, so an unreachable cluster costs little.
 */
export function nextCheckDelay(intervalMs: number, failures: number, maxMs: number): number {
  if (failures <= 1) return intervalMs;
  return Math.min(maxMs, intervalMs * 2 ** Math.min(failures - 1, 20));
}
