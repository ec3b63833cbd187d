import type { Step, StepAction, StepBody } from '@shoal/server-core/contract';

/**
 * A process step as the editor holds it: the step with its action's settings as form
 * fields (lists as text, one item a line or separated by commas).
 */
export interface StepDraft {
  /** Stable while the list is edited (keys the rows). */
  key: number;
  name: string;
  action: StepAction;
  condition: Step['condition'];
  environmentIds: string[];
  /** runOn, roles and any other property are kept as they came. */
  rest: Pick<Step, 'runOn' | 'roles'> | null;
  others: Record<string, Step['properties'][string]>;
  script: string;
  syntax: string;
  packageId: string;
  installPath: string;
  substituteInFiles: string;
  instructions: string;
  responsibleTeamIds: string;
}

export const ACTION_LABELS: Record<StepAction, string> = {
  RunScript: 'Run a script',
  DeployPackage: 'Deploy a package',
  ManualIntervention: 'Manual intervention',
};

const OWN: Record<StepAction, string[]> = {
  RunScript: ['script', 'syntax'],
  DeployPackage: ['packageId', 'installPath', 'substituteInFiles'],
  ManualIntervention: ['instructions', 'responsibleTeamIds'],
};

let nextKey = 1;

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const listText = (v: unknown): string => (Array.isArray(v) ? v.join('\n') : text(v));
export const parseList = (s: string): string[] => s.split(/[\n,]/).map((x) => x.trim()).filter(Boolean);

export function draftOf(step: Step): StepDraft {
  const p = step.properties;
  const others = Object.fromEntries(Object.entries(p).filter(([k]) => !OWN[step.action].includes(k)));
  return {
    key: nextKey++,
    name: step.name,
    action: step.action,
    condition: step.condition,
    environmentIds: [...step.environmentIds],
    rest: { runOn: step.runOn, roles: step.roles },
    others,
    script: text(p.script),
    syntax: text(p.syntax) || 'bash',
    packageId: text(p.packageId),
    installPath: text(p.installPath),
    substituteInFiles: listText(p.substituteInFiles),
    instructions: text(p.instructions),
    responsibleTeamIds: listText(p.responsibleTeamIds),
  };
}

/** A new step of `action`, named so it does not clash with `taken`. */
export function newStep(action: StepAction, taken: readonly string[]): StepDraft {
  const base = { RunScript: 'Run script', DeployPackage: 'Deploy package', ManualIntervention: 'Approve' }[action];
  let name = base;
  for (let n = 2; taken.some((t) => t.toLowerCase() === name.toLowerCase()); n++) name = `${base} ${n}`;
  return { ...draftOf({ name, action, runOn: 'server', roles: [], environmentIds: [], condition: 'success', properties: {} }), rest: null };
}

export function stepBody(d: StepDraft): StepBody {
  const own: StepBody['properties'] =
    d.action === 'RunScript'
      ? { script: d.script, syntax: d.syntax }
      : d.action === 'DeployPackage'
        ? { packageId: d.packageId.trim(), ...(d.installPath.trim() ? { installPath: d.installPath.trim() } : {}), substituteInFiles: parseList(d.substituteInFiles) }
        : { instructions: d.instructions, responsibleTeamIds: parseList(d.responsibleTeamIds) };
  return {
    name: d.name.trim(),
    action: d.action,
    ...(d.rest ?? {}),
    environmentIds: d.environmentIds,
    condition: d.condition,
    properties: { ...d.others, ...own },
  };
}
