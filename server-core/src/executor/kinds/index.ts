import type { TaskKind, TaskKindRegistry } from '../taskKind.js';
import { adHocScript } from './adHocScript.js';
import { systemIntegrityCheck } from './systemIntegrityCheck.js';

export function taskKinds(options: { builtInWorker: boolean; extra?: TaskKind[] }): TaskKindRegistry {
  const kinds: TaskKind[] = [systemIntegrityCheck, ...(options.extra ?? [])];
  if (options.builtInWorker) kinds.push(adHocScript);
  return new Map(kinds.map((k) => [k.name, k]));
}
