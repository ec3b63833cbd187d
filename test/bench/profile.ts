import { Session } from 'node:inspector/promises';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  /** Self time by where the code lives (package, or file of this repository). */
  byArea: { area: string; ms: number; pct: number }[];
  /** Self time of the heaviest functions. */
  topFunctions: { fn: string; ms: number; pct: number }[];
}

function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return url;
  const src = /server-core\/src\/(.+)$/.exec(url);
  if (src) return `server-core/${src[1]}`;
  return path.basename(url);
}

/** Samples the CPU of this process while `fn` runs and sums self time by area and function. */
export async function profile<T>(fn: () => Promise<T>, top = 12): Promise<{ result: T; summary: ProfileSummary }> {
  const stop = await startCpuProfile(top);
  let result: T;
  try {
    result = await fn();
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
  return { result, summary: await stop() };
}

/** Starts sampling the CPU of this process; the returned function stops and summarizes. */
export async function startCpuProfile(top = 12): Promise<() => Promise<ProfileSummary>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return async () => {
    try {
      return summarizeProfile(((await session.post('Profiler.stop')) as { profile: Profile }).profile, top);
    } finally {
      session.disconnect();
    }
  };
}

function summarizeProfile(prof: Profile, top: number): ProfileSummary {
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Native time (a socket write, a message to a thread) is named with the nearest caller outside Node's own code.
  const caller = (id: number): string => {
    for (let p = parent.get(id); p !== undefined; p = parent.get(p)) {
      const { functionName, url, lineNumber } = byId.get(p)!.callFrame;
      if (url && !url.startsWith('node:')) return ` ← ${functionName || '(anonymous)'} ${area(url, functionName)}:${lineNumber + 1}`;
    }
    return '';
  };
  const self = new Map<number, number>();
  prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0) / 1000));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const areas = new Map<string, number>();
  const fns = new Map<string, number>();
  for (const [id, ms] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const a = area(url, functionName);
    areas.set(a, (areas.get(a) ?? 0) + ms);
    const native = !url && !functionName.startsWith('(');
    const f = `${functionName || '(anonymous)'} ${url ? `${a}:${lineNumber + 1}` : ''}`.trim() + (native ? caller(id) : '');
    fns.set(f, (fns.get(f) ?? 0) + ms);
  }
  const rank = (m: Map<string, number>) =>
    [...m].sort((x, y) => y[1] - x[1]).slice(0, top).map(([k, ms]) => ({ k, ms: Math.round(ms), pct: Math.round((ms / total) * 1000) / 10 }));
  return {
    totalMs: Math.round(total),
    byArea: rank(areas).map(({ k, ms, pct }) => ({ area: k, ms, pct })),
    topFunctions: rank(fns).map(({ k, ms, pct }) => ({ fn: k, ms, pct })),
  };
}
