import type { ShoalNode } from '@shoal/server-core/contract';

/** The version the cluster runs: the most common among its nodes that are not Offline (or any, when all are). */
export function clusterVersionOf(nodes: ShoalNode[]): string | null {
  const live = nodes.filter((n) => n.status !== 'Offline');
  const counts = new Map<string, number>();
  for (const n of live.length ? live : nodes) counts.set(n.version, (counts.get(n.version) ?? 0) + 1);
  let best: string | null = null;
  for (const [v, c] of counts) if (best === null || c > counts.get(best)!) best = v;
  return best;
}
