import type { Variable, VariableBody } from '@shoal/server-core/contract';
import { parseList } from './processDraft';

/**
 * A project variable as the editor holds it. A sensitive value never comes back from the
 * server: the row shows whether one is set, and an empty field keeps it.
 */
export interface VariableDraft {
  key: number;
  id: string | null;
  name: string;
  value: string;
  sensitive: boolean;
  /** A sensitive value is stored (the server keeps it while `value` stays empty). */
  hasValue: boolean;
  environmentIds: string[];
  stepNames: string;
  roles: string[];
  targetIds: string[];
}

let nextKey = 1;

export function variableDraft(v?: Variable): VariableDraft {
  return {
    key: nextKey++,
    id: v?.id ?? null,
    name: v?.name ?? '',
    value: v?.value ?? '',
    sensitive: v?.sensitive ?? false,
    hasValue: (v?.sensitive && v.hasValue) ?? false,
    environmentIds: [...(v?.scope.environmentIds ?? [])],
    stepNames: v?.scope.stepNames.join(', ') ?? '',
    roles: [...(v?.scope.roles ?? [])],
    targetIds: [...(v?.scope.targetIds ?? [])],
  };
}

export function variableBody(d: VariableDraft): VariableBody {
  const keep = d.sensitive && d.hasValue && d.value === '';
  return {
    ...(d.id ? { id: d.id } : {}),
    name: d.name.trim(),
    ...(keep ? {} : { value: d.value }),
    sensitive: d.sensitive,
    scope: { environmentIds: d.environmentIds, stepNames: parseList(d.stepNames), roles: d.roles, targetIds: d.targetIds },
  };
}
