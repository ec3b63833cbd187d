import { deploymentsApi, interruptionsApi } from './deployApi';
import { messageOf } from './api';
import type { Interruption, TaskDetails } from '@shoal/server-core/contract';

/** The tree of a deployment or runbook run (states and durations) and its manual interventions, refreshed by whoever polls it. */
export class ActivityDetail {
  #details = $state.raw<TaskDetails | null>(null);
  #interruptions = $state.raw<Interruption[]>([]);
  #error = $state<string | null>(null);

  constructor(readonly taskId: string) {}

  get details(): TaskDetails | null {
    return this.#details;
  }
  get interruptions(): Interruption[] {
    return this.#interruptions;
  }
  get error(): string | null {
    return this.#error;
  }

  async refresh(): Promise<void> {
    try {
      // Only the states: the lines come live from the log stream.
      const [details, interruptions] = await Promise.all([deploymentsApi.details(this.taskId), interruptionsApi.ofTask(this.taskId)]);
      this.#details = details;
      this.#interruptions = interruptions;
      this.#error = null;
    } catch (err) {
      this.#error = messageOf(err);
    }
  }
}
