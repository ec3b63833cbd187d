import type { ProfileSummary } from '../profile.js';

/** Adds up the CPU profiles of several processes (by area and by function). */
export function mergeProfiles(list: ProfileSummary[], top = 15): ProfileSummary {
  const totalMs = list.reduce((s, p) => s + p.totalMs, 0);
  const sum = (entries: [string, number][]) => {
    const m = new Map<string, number>();
    for (const [k, ms] of entries) m.set(k, (m.get(k) ?? 0) + ms);
    return [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, ms]) => ({ k, ms, pct: Math.round((ms / totalMs) * 1000) / 10 }));
  };
  return {
    totalMs,
    byArea: sum(list.flatMap((p) => p.byArea.map((a): [string, number] => [a.area, a.ms]))).map(({ k, ms, pct }) => ({ area: k, ms, pct })),
    topFunctions: sum(list.flatMap((p) => p.topFunctions.map((f): [string, number] => [f.fn, f.ms]))).map(({ k, ms, pct }) => ({ fn: k, ms, pct })),
  };
}
