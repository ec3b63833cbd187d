/**
 * Calls `fn` now and then every `intervalMs` after it settles, only while the page is
 * visible (a hidden tab stops; showing it again refreshes at once). Returns `stop`, so
 * it fits `$effect(() => poll(...))`. The first call runs outside the caller's effect,
 * so what `fn` reads is not tracked; `immediate: false` waits one interval for it.
 */
export function poll(fn: () => Promise<unknown>, intervalMs: number, { immediate = true } = {}): () => void {
  let stopped = false;
  let inFlight = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const schedule = () => {
    clearTimeout(timer);
    if (!stopped && !document.hidden) timer = setTimeout(tick, intervalMs);
  };
  const tick = async () => {
    if (stopped || inFlight || document.hidden) return;
    inFlight = true;
    try {
      await fn();
    } catch {
      // fn reports its own errors; polling goes on
    } finally {
      inFlight = false;
      schedule();
    }
  };
  const onVisibility = () => {
    if (document.hidden) clearTimeout(timer);
    else void tick();
  };

  document.addEventListener('visibilitychange', onVisibility);
  if (immediate) queueMicrotask(() => void tick());
  else schedule();
  return () => {
    stopped = true;
    clearTimeout(timer);
    document.removeEventListener('visibilitychange', onVisibility);
  };
}
