export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Said when the wait times out (with the last value or error seen). */
  message?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Calls `fn` until it returns a truthy value (which is returned) or the time is up.
 * A throw from `fn` counts as "not yet"; the last one is reported on timeout.
 */
export async function waitFor<T>(fn: () => T | Promise<T>, o: WaitOptions = {}): Promise<NonNullable<T>> {
  const timeoutMs = o.timeoutMs ?? 10_000;
  const intervalMs = o.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  let lastError: unknown;
  for (;;) {
    try {
      last = await fn();
      lastError = undefined;
      if (last) return last as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) break;
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
  const detail = lastError ? `last error: ${(lastError as Error).message ?? lastError}` : `last value: ${JSON.stringify(last)}`;
  throw new Error(`${o.message ?? 'condition not met'} (after ${timeoutMs} ms; ${detail})`, { cause: lastError });
}

export { sleep };
