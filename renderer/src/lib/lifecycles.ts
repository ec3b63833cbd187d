import type { Phase } from '@shoal/server-core/contract';

/** A lifecycle phase in words: its name, and its environments when they are not just the one of that name. */
export function phaseText(p: Phase, nameOf: (environmentId: string) => string): string {
  const envs = [...p.environmentIds.map(nameOf), ...p.automaticDeploymentEnvironmentIds.map((id) => `${nameOf(id)} (automatic)`)];
  const body = envs.length === 1 && envs[0] === p.name ? p.name : `${p.name}: ${envs.join(', ') || 'no environments'}`;
  const minimum = p.minimumEnvironmentsBeforePromotion > 0 && envs.length > 1 ? `, ${p.minimumEnvironmentsBeforePromotion} needed` : '';
  return `${body}${minimum}${p.isOptional ? ' (optional)' : ''}`;
}
