export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Said when the wait times out (with the last value or error seen). */
  message?: string;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls until `probe` returns something truthy and returns it; a throw counts as "not yet".
 * When the time is up it throws, naming what was awaited (`what`, or the options' `message`)
 * and the last value or error seen. Never a bare sleep.
 */
export async function waitFor<T>(probe: () => T | Promise<T>, what: string | WaitOptions = {}, options: WaitOptions = {}): Promise<NonNullable<T>> {
  const o = typeof what === 'string' ? { ...options, message: `waiting for ${what}` } : what;
  const timeoutMs = o.timeoutMs ?? 10_000;
  const intervalMs = o.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  let lastError: unknown;
  for (;;) {
    try {
      last = await probe();
      lastError = undefined;
      if (last) return last as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) break;
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
  const detail = lastError ? `last error: ${(lastError as Error).message ?? lastError}` : `last value: ${JSON.stringify(last)}`;
  throw new Error(`${o.message ?? 'condition not met'} (timed out after ${timeoutMs} ms; ${detail})`, { cause: lastError });
}
