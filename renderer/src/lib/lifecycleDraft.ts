import type { Lifecycle, LifecycleBody } from '@shoal/server-core/contract';

/** How a phase uses an environment: not at all, deployed to by hand, or automatically. */
export type EnvironmentMode = 'none' | 'manual' | 'automatic';

export interface PhaseDraft {
  name: string;
  environmentIds: string[];
  automaticDeploymentEnvironmentIds: string[];
  minimumEnvironmentsBeforePromotion: number;
  isOptional: boolean;
}

/** A lifecycle as its form holds it; `ownPhases` false: each environment its own phase, in order. */
export interface LifecycleDraft {
  name: string;
  description: string;
  ownPhases: boolean;
  phases: PhaseDraft[];
}

export const emptyPhase = (): PhaseDraft => ({ name: '', environmentIds: [], automaticDeploymentEnvironmentIds: [], minimumEnvironmentsBeforePromotion: 0, isOptional: false });

/** The form of a new lifecycle (one empty phase), or of `l` as it is. */
export function lifecycleDraft(l?: Lifecycle): LifecycleDraft {
  if (!l) return { name: '', description: '', ownPhases: true, phases: [emptyPhase()] };
  const phases = l.phases.map((p) => ({ ...p, environmentIds: [...p.environmentIds], automaticDeploymentEnvironmentIds: [...p.automaticDeploymentEnvironmentIds] }));
  return { name: l.name, description: l.description, ownPhases: !l.usesEnvironmentOrder, phases: phases.length ? phases : [emptyPhase()] };
}

export function modeOf(p: PhaseDraft, environmentId: string): EnvironmentMode {
  if (p.environmentIds.includes(environmentId)) return 'manual';
  return p.automaticDeploymentEnvironmentIds.includes(environmentId) ? 'automatic' : 'none';
}

/** Puts an environment in phase `index` with `mode`; an environment belongs to one phase, so it leaves the others. */
export function setMode(d: LifecycleDraft, index: number, environmentId: string, mode: EnvironmentMode): void {
  d.phases.forEach((p, i) => {
    if (i !== index && mode === 'none') return;
    p.environmentIds = p.environmentIds.filter((id) => id !== environmentId);
    p.automaticDeploymentEnvironmentIds = p.automaticDeploymentEnvironmentIds.filter((id) => id !== environmentId);
  });
  const p = d.phases[index]!;
  if (mode === 'manual') p.environmentIds.push(environmentId);
  if (mode === 'automatic') p.automaticDeploymentEnvironmentIds.push(environmentId);
}

export function movePhase(d: LifecycleDraft, index: number, by: -1 | 1): void {
  const [p] = d.phases.splice(index, 1);
  d.phases.splice(index + by, 0, p!);
}

/** What the form lacks before it can be sent, in words; null when it can be. */
export function draftProblem(d: LifecycleDraft): string | null {
  if (!d.name.trim()) return 'Give the lifecycle a name.';
  if (!d.ownPhases) return null;
  if (d.phases.length === 0) return 'Add a phase, or let each environment be its own phase.';
  const unnamed = d.phases.findIndex((p) => !p.name.trim());
  return unnamed < 0 ? null : `Give phase ${unnamed + 1} a name.`;
}

export function lifecycleBody(d: LifecycleDraft): LifecycleBody {
  return {
    name: d.name.trim(),
    description: d.description.trim(),
    phases: d.ownPhases ? d.phases.map((p) => ({ ...p, name: p.name.trim(), minimumEnvironmentsBeforePromotion: Math.max(0, Math.trunc(p.minimumEnvironmentsBeforePromotion) || 0) })) : null,
  };
}
