import { TASK_STATES, type TaskState } from '@shoal/server-core/contract';

export const isTaskState = (s: string): s is TaskState => (TASK_STATES as readonly string[]).includes(s);
/** States in which a task can still be canceled. */
export const isCancellable = (s: TaskState): boolean => s === 'Queued' || s === 'Executing';
