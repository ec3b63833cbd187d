import type { Selectable } from 'kysely';
import type { Task, TaskState } from '../contract/tasks.js';
import type { TasksTable } from '../db/schema.js';

export type TaskRow = Selectable<TasksTable>;
/** A task as lists show it: without its stored log (up to 16 KiB a row, read only with the log). */
export type TaskSummaryRow = Omit<TaskRow, 'log_text'>;
export const TASK_SUMMARY_COLUMNS = [
  'id', 'kind', 'description', 'arguments', 'state', 'concurrency_tag', 'node_name', 'claim_token',
  'queue_time', 'expires_at', 'start_time', 'completed_time', 'error_message', 'created_by',
] as const satisfies readonly (keyof TaskSummaryRow)[];

/** The task as the API shows it: the contract's `Task`. */
export type TaskResource = Task;

const ID_PREFIX = 'ServerTasks-';

export const taskId = (n: number): string => `${ID_PREFIX}${n}`;

/** Parses `ServerTasks-12` (or a bare number); undefined when it is not a task id. */
export function parseTaskId(id: string): number | undefined {
  const m = /^(?:ServerTasks-)?([1-9][0-9]{0,15})$/.exec(id);
  return m ? Number(m[1]) : undefined;
}

const iso = (ms: number | null): string | null => (ms == null ? null : new Date(Number(ms)).toISOString());

export function toTaskResource(row: TaskSummaryRow): TaskResource {
  return {
    id: taskId(Number(row.id)),
    kind: row.kind,
    description: row.description,
    state: row.state as TaskState,
    nodeName: row.node_name,
    concurrencyTag: row.concurrency_tag,
    queueTime: iso(row.queue_time)!,
    startTime: iso(row.start_time),
    completedTime: iso(row.completed_time),
    errorMessage: row.error_message,
    createdBy: row.created_by,
  };
}
