/** The shapes the Shoal HTTP API sends and accepts (see DESIGN.md, "HTTP API"). */

export const TASK_STATES = ['Queued', 'Executing', 'Cancelling', 'Success', 'Failed', 'Canceled', 'TimedOut'] as const;
export type TaskState = (typeof TASK_STATES)[number];

const FINAL: readonly TaskState[] = ['Success', 'Failed', 'Canceled', 'TimedOut'];
export const isFinalState = (s: TaskState): boolean => FINAL.includes(s);
export const isTaskState = (s: string): s is TaskState => (TASK_STATES as readonly string[]).includes(s);
/** States in which a task can still be canceled. */
export const isCancellable = (s: TaskState): boolean => s === 'Queued' || s === 'Executing';

export const NODE_STATUSES = ['Running', 'Draining', 'Drained', 'Offline', 'VersionMismatch'] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];

export interface User {
  id: string;
  username: string;
  isAdmin: boolean;
}

export interface Task {
  id: string;
  kind: string;
  description: string;
  state: TaskState;
  nodeName: string | null;
  concurrencyTag: string | null;
  queueTime: string;
  startTime: string | null;
  completedTime: string | null;
  errorMessage: string | null;
  createdBy: string | null;
}

export interface TaskPage {
  items: Task[];
  total: number;
}

export interface TaskQuery {
  states?: readonly TaskState[];
  node?: string | null;
  take?: number;
  skip?: number;
}

export const SCRIPT_SYNTAXES = ['bash', 'sh', 'powershell'] as const;
export type ScriptSyntax = (typeof SCRIPT_SYNTAXES)[number];

export interface NewScriptTask {
  kind: 'AdHocScript';
  arguments: { script: string; syntax: ScriptSyntax };
  description?: string;
}

export interface ShoalNode {
  name: string;
  status: NodeStatus;
  lastSeen: string;
  taskCap: number;
  runningTasks: number;
  drain: boolean;
  version: string;
  url: string;
}

/** `taskCap` is `unknown` on purpose: the portal sends what the operator typed and shows the server's verdict. */
export interface NodePatch {
  taskCap?: unknown;
  drain?: boolean;
}

/** GET/PUT /api/configuration/queue: a paused queue starts no new tasks on any node. */
export interface QueueConfig {
  paused: boolean;
}

/** The body of every error the API answers with. */
export interface ApiErrorBody {
  error: { code: string; message: string };
}
