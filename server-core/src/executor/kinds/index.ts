import type { EngineDeps } from '../../deploy/stepContext.js';
import type { TaskKind, TaskKindRegistry } from '../taskKind.js';
import { adHocScript } from './adHocScript.js';
import { deploymentKind } from './deployment.js';
import { packageReindex } from './packageReindex.js';
import { runbookRunKind } from './runbookRun.js';
import { systemIntegrityCheck } from './systemIntegrityCheck.js';

export function taskKinds(options: { builtInWorker: boolean; extra?: TaskKind[]; deployments?: EngineDeps & { queueExpiryMs?: number } }): TaskKindRegistry {
  const kinds: TaskKind[] = [systemIntegrityCheck, packageReindex, ...(options.extra ?? [])];
  if (options.builtInWorker) kinds.push(adHocScript);
  // Deployments and runbook runs run their steps on the built-in worker until agents exist.
  if (options.builtInWorker && options.deployments) kinds.push(deploymentKind(options.deployments), runbookRunKind(options.deployments));
  return new Map(kinds.map((k) => [k.name, k]));
}
