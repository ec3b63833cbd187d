import { FINAL_TASK_STATES, isFinalTaskState, type TaskState } from '../contract/tasks.js';

export { TASK_STATES, type TaskState } from '../contract/tasks.js';

/** States in which a task occupies a slot of the node that claimed it. */
export const ACTIVE_STATES: TaskState[] = ['Executing', 'Cancelling'];
export const FINAL_STATES: readonly TaskState[] = FINAL_TASK_STATES;
/** States of a task that has not ended: queued, or running on a node. */
export const UNFINISHED_STATES: TaskState[] = ['Queued', ...ACTIVE_STATES];

export const isFinal = isFinalTaskState;
