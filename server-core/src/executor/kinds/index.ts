import type { TaskKind, TaskKindRegistry } from '../taskKind.js';
import { adHocScript } from './adHocScript.js';
import { packageReindex } from './packageReindex.js';
import { systemIntegrityCheck } from './systemIntegrityCheck.js';

export function taskKinds(options: { builtInWorker: boolean; extra?: TaskKind[] }): TaskKindRegistry {
  const kinds: TaskKind[] = [systemIntegrityCheck, packageReindex, ...(options.extra ?? [])];
  if (options.builtInWorker) kinds.push(adHocScript);
  return new Map(kinds.map((k) => [k.name, k]));
}
