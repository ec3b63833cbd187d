import type { Logger } from 'pino';
import type { Permission, Permissions } from '../auth/permissions.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import type { TaskLogWriter } from '../logs/taskLog.js';
import type { StoragePaths } from '../storage/paths.js';
import type { RunAsUser } from './runAsUser.js';

/** What a task kind writes to: lines of its log (buffered; a producer that can wait for room should). */
export type TaskLog = Pick<TaskLogWriter, 'info' | 'warn' | 'error' | 'lines' | 'hasRoom' | 'room'>;

export interface TaskContext {
  taskId: string;
  args: Record<string, unknown>;
  log: TaskLog;
  /**
   * Aborted when the task is canceled, the node stops or it loses its lease; the reason is a
   * `TaskStop`. A kind that stops because of it throws `signal.reason` (throwIfAborted), so
   * the executor tells a stop from the task failing, or finishing, on its own.
   */
  signal: AbortSignal;
  /** The node's lease, for work that runs outside the node's process (script supervisors). */
  lease: LeaseView;
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
  /** The node's own log, for what an operator must see beyond the task's log (a refused certificate). */
  logger?: Logger;
}

/** What a task sees of the node's lease. */
export interface LeaseView {
  /** How long the lease holds from now without another heartbeat (≤ 0: lost). */
  remainingMs(): number;
  on(event: 'renewed', listener: (remainingMs: number) => void): unknown;
  off(event: 'renewed', listener: (remainingMs: number) => void): unknown;
}

/** Why a running task is stopped; the abort reason of its signal. */
export class TaskStop extends Error {
  constructor(
    message: string,
    readonly state: 'Canceled' | 'Failed',
    /** Kill at once, no grace: the node lost its lease, so the cluster may already have ended the task. */
    readonly immediate = false,
  ) {
    super(message);
  }
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
