import type { StoredScope } from './storedVariables.js';

/** Where a value is wanted: the deployment's environment, the step, and the target (roles) it runs for. */
export interface ScopeContext {
  environmentId: string;
  stepName?: string;
  roles?: string[];
  targetId?: string;
}

/** A value that may apply; `source` ranks library sets (0) under the project (1) at equal specificity. */
export interface Candidate {
  name: string;
  value: string;
  sensitive: boolean;
  scope: StoredScope;
  source: number;
}

export interface ResolvedValue {
  name: string;
  value: string;
  sensitive: boolean;
}

const lower = (xs: string[]) => xs.map((x) => x.toLowerCase());

function matches(s: StoredScope, c: ScopeContext): boolean {
  if (s.environmentIds.length && !s.environmentIds.includes(c.environmentId)) return false;
  if (s.stepNames.length && !(c.stepName && lower(s.stepNames).includes(c.stepName.toLowerCase()))) return false;
  if (s.roles.length && !lower(s.roles).some((r) => lower(c.roles ?? []).includes(r))) return false;
  if (s.targetIds.length && !(c.targetId && s.targetIds.includes(c.targetId))) return false;
  return true;
}

/** More specific scopes win: a target beats a step, a step a role, a role an environment, any scope none. */
const specificity = (s: StoredScope): number =>
  (s.targetIds.length ? 1000 : 0) + (s.stepNames.length ? 100 : 0) + (s.roles.length ? 10 : 0) + (s.environmentIds.length ? 1 : 0);

/**
 * The value of each variable name (names compare without case) in a context: among the
 * candidates whose scope matches, the most specific; then the project's over a library
 * set's; then the later one in the list.
 */
export function resolveVariables(candidates: Candidate[], c: ScopeContext): Map<string, ResolvedValue> {
  const best = new Map<string, { rank: [number, number, number]; value: ResolvedValue }>();
  candidates.forEach((v, order) => {
    if (!matches(v.scope, c)) return;
    const rank: [number, number, number] = [specificity(v.scope), v.source, order];
    const key = v.name.toLowerCase();
    const had = best.get(key);
    const better = !had || rank[0] > had.rank[0] || (rank[0] === had.rank[0] && (rank[1] > had.rank[1] || (rank[1] === had.rank[1] && rank[2] > had.rank[2])));
    if (better) best.set(key, { rank, value: { name: v.name, value: v.value, sensitive: v.sensitive } });
  });
  return new Map([...best].map(([k, v]) => [k, v.value]));
}
