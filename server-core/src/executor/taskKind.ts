import type { Permission, Permissions } from '../auth/permissions.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import type { TaskLogWriter } from '../logs/taskLog.js';
import type { StoragePaths } from '../storage/paths.js';
import type { RunAsUser } from './runAsUser.js';

export interface TaskContext {
  taskId: string;
  args: Record<string, unknown>;
  log: TaskLogWriter;
  /** Aborted when the task is canceled or the node stops. */
  signal: AbortSignal;
  /** A scratch folder of this task on this node, removed when it ends; made when first read. */
  workDir: string;
  /** The task's folder on the artifacts path (every node sees it); made when first read. */
  artifactsDir: string;
  storage: StoragePaths;
  shoal: ShoalDb;
  nodeName: string;
  serverUrl: string;
  /** The unprivileged account scripts run as (`builtInWorkerRunAs`), when one is set. */
  runAs?: RunAsUser;
}

/**
 * One kind of task. `parseArguments` validates at the edge (POST /api/tasks) and
 * returns an error message for bad input; `run` resolves on success and throws on failure.
 */
export interface TaskKind {
  readonly name: string;
  /** What a user needs to queue it (scripts on the server: admin). */
  readonly permission: Permission;
  parseArguments(args: Record<string, unknown>): { error: string } | { description: string; concurrencyTag?: string | null };
  run(ctx: TaskContext): Promise<void>;
  /**
   * Who besides its creator and administrators may cancel a task of this kind (a
   * deployment: whoever may deploy to its environment). Absent: nobody else.
   */
  mayCancel?(shoal: ShoalDb, taskId: number, permissions: Permissions): Promise<boolean>;
}

export type TaskKindRegistry = Map<string, TaskKind>;
