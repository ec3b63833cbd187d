import type { Selectable } from 'kysely';
import type { Task, TaskState } from '../contract/tasks.js';
import type { TasksTable } from '../db/schema.js';

export type TaskRow = Selectable<TasksTable>;

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

export function toTaskResource(row: TaskRow): TaskResource {
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
