export interface Interval {
  start: number;
  end: number;
}

/** The most intervals open at one instant; an end and a start at the same instant do not overlap. */
export function maxOverlap(intervals: Interval[]): number {
  const points = intervals.flatMap((i) => [
    { t: i.start, d: 1 },
    { t: i.end, d: -1 },
  ]);
  points.sort((a, b) => a.t - b.t || a.d - b.d);
  let open = 0;
  let max = 0;
  for (const p of points) {
    open += p.d;
    max = Math.max(max, open);
  }
  return max;
}

/** Calls `sample` every `intervalMs` until `stop()`; keeps every value. */
export function sampler<T>(sample: () => Promise<T>, intervalMs = 25): { values: T[]; errors: unknown[]; stop(): Promise<void> } {
  const values: T[] = [];
  const errors: unknown[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        values.push(await sample());
      } catch (err) {
        errors.push(err);
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    values,
    errors,
    async stop() {
      running = false;
      await loop;
    },
  };
}
