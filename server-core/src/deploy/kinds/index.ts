import type { TaskKind } from '../../executor/taskKind.js';
import type { EngineDeps } from '../stepContext.js';
import { deploymentKind } from './deployment.js';
import { runbookRunKind } from './runbookRun.js';

/** The task kinds of the deployment model; their steps run on the built-in worker until agents exist. */
export const deploymentKinds = (deps: EngineDeps & { queueExpiryMs?: number }): TaskKind[] => [deploymentKind(deps), runbookRunKind(deps)];
