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
  /** What the node last found when it checked that it shares storage with the others; null before its first check. */
  storage?: StorageStatus | null;
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

/** A node's shared-storage verification: it can read every other online node's marker in every folder. */
export interface StorageStatus {
  ok: boolean;
  checkedAt: string;
  problems: string[];
}

export const STORAGE_KINDS = ['packages', 'artifacts', 'taskLogs', 'imports', 'eventExports'] as const;
export type StorageKind = (typeof STORAGE_KINDS)[number];

export interface StoragePathReport {
  kind: StorageKind;
  path: string;
  realPath: string | null;
  exists: boolean;
  writable: boolean;
  freeBytes: number | null;
  totalBytes: number | null;
  problem: string | null;
  /** Set for the whole cluster in the database, or this node's own configuration. */
  source: 'cluster' | 'node';
}

export interface StorageConfiguration {
  checkedBy: string;
  paths: StoragePathReport[];
  nodes: { name: string; status: NodeStatus; storage: StorageStatus | null }[];
}

export type StoragePathsPatch = Partial<Record<StorageKind, string>>;

/** One version of a package in the built-in repository. */
export interface PackageVersion {
  id: string;
  spaceId: string;
  packageId: string;
  version: string;
  fileName: string;
  fileExtension: string;
  sizeBytes: number;
  hash: string;
  published: string;
  publishedBy: string | null;
  links: { self: string; raw: string };
}

export interface PackageSummary {
  packageId: string;
  latestVersion: string;
  versionCount: number;
  totalBytes: number;
  latest: PackageVersion;
}

export interface Page<T> {
  items: T[];
  total: number;
}

export type MigrationState = 'idle' | 'running' | 'succeeded' | 'failed';

export interface MigrationProgressCounter {
  done: number;
  total: number;
}

/** GET /api/migration: the node's "Move to high availability" job (admins only). */
export interface MigrationStatus {
  /** True only on a standalone node (SQLite); a node on a shared database has nothing to move. */
  available: boolean;
  state: MigrationState;
  step: string | null;
  tables: Record<string, MigrationProgressCounter>;
  files: Partial<Record<StorageKind, MigrationProgressCounter>>;
  /** The target database URL without its password. */
  target: string | null;
  error: string | null;
  result: { rows: number; files: number; configPath?: string; configBackup?: string; joinCommand: string } | null;
}

/** The body of POST /api/migration/plan and /start. */
export interface MigrationTarget {
  targetUrl: string;
  /** Absolute (or UNC) path; each storage kind gets its folder under it. */
  storageRoot: string;
}

/** A dry run: what would be copied, checked against the target; nothing is changed. */
export interface MigrationPlan {
  tables: { name: string; rows: number }[];
  storage: { kind: StorageKind; from: string; to: string; files: { relative: string; size: number }[]; bytes: number }[];
}
