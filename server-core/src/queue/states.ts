export const TASK_STATES = ['Queued', 'Executing', 'Cancelling', 'Success', 'Failed', 'Canceled', 'TimedOut'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** States in which a task occupies a slot of the node that claimed it. */
export const ACTIVE_STATES: TaskState[] = ['Executing', 'Cancelling'];
export const FINAL_STATES: TaskState[] = ['Success', 'Failed', 'Canceled', 'TimedOut'];

export const isFinal = (state: string): boolean => (FINAL_STATES as string[]).includes(state);
