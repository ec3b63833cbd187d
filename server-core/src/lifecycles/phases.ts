import type { Phase } from '../contract/environments.js';
import type { EnvironmentRow } from '../environments/environmentRows.js';
import { formatId } from '../resources/ids.js';

/**
 * The promotion rules of a lifecycle, as pure functions of its phases and of the
 * environments where a release has succeeded. Environment ids are the API's text ids.
 */

/** The phases a lifecycle has; the default one (phases null) makes each environment a phase, in order. */
export function effectivePhases(stored: Phase[] | null, environments: EnvironmentRow[]): Phase[] {
  if (stored) return stored;
  return environments.map((e) => ({
    name: e.name,
    environmentIds: [formatId('environment', e.id)],
    automaticDeploymentEnvironmentIds: [],
    minimumEnvironmentsBeforePromotion: 0,
    isOptional: false,
  }));
}

const environmentsOf = (p: Phase) => [...p.environmentIds, ...p.automaticDeploymentEnvironmentIds];

export const phaseIndexOf = (phases: Phase[], environmentId: string): number => phases.findIndex((p) => environmentsOf(p).includes(environmentId));

/** A phase is complete when enough of its environments (all, unless a minimum is set) have a successful deployment. */
export function isPhaseComplete(p: Phase, succeeded: ReadonlySet<string>): boolean {
  const envs = environmentsOf(p);
  const needed = p.minimumEnvironmentsBeforePromotion > 0 ? Math.min(p.minimumEnvironmentsBeforePromotion, envs.length) : envs.length;
  return envs.filter((e) => succeeded.has(e)).length >= needed;
}

/**
 * Why a release may not go to `environmentId` yet, or null when it may: the environment is
 * not in the lifecycle, or an earlier non-optional phase is not complete.
 */
export function promotionRefusal(phases: Phase[], environmentId: string, succeeded: ReadonlySet<string>, names: (id: string) => string): string | null {
  const at = phaseIndexOf(phases, environmentId);
  if (at < 0) return `${names(environmentId)} is not in any phase of the project's lifecycle.`;
  for (const p of phases.slice(0, at)) {
    if (p.isOptional || isPhaseComplete(p, succeeded)) continue;
    const envs = environmentsOf(p);
    const need = p.minimumEnvironmentsBeforePromotion > 0 ? `${p.minimumEnvironmentsBeforePromotion} of ` : '';
    return `The phase ${p.name} must be complete first: it needs a successful deployment of this release to ${need}${envs.map(names).join(', ') || 'its environments'}.`;
  }
  return null;
}

/**
 * The automatic environments a release should now go to: those of every phase whose earlier
 * phases are complete, where the release has no deployment at all yet.
 */
export function automaticEnvironments(phases: Phase[], succeeded: ReadonlySet<string>, deployedTo: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const [i, p] of phases.entries()) {
    const open = phases.slice(0, i).every((q) => q.isOptional || isPhaseComplete(q, succeeded));
    if (!open) break;
    for (const e of p.automaticDeploymentEnvironmentIds) if (!deployedTo.has(e)) out.push(e);
  }
  return out;
}
