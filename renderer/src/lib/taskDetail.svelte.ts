import { api, ApiError, messageOf } from './api';
import { isFinalTaskState, type Task } from '@shoal/server-core/contract';

/** One task, refreshed by whoever polls it, and the actions on it. */
export class TaskDetail {
  #task = $state<Task | null>(null);
  #error = $state<string | null>(null);
  #missing = $state(false);
  #cancelling = $state(false);
  #cancelError = $state<string | null>(null);

  constructor(readonly id: string) {}

  get task(): Task | null {
    return this.#task;
  }
  /** Why the last refresh failed (the last known task stays shown). */
  get error(): string | null {
    return this.#error;
  }
  /** The server says there is no such task. */
  get missing(): boolean {
    return this.#missing;
  }
  get finished(): boolean {
    return this.#task !== null && isFinalTaskState(this.#task.state);
  }
  get cancelling(): boolean {
    return this.#cancelling;
  }
  get cancelError(): string | null {
    return this.#cancelError;
  }

  async refresh(): Promise<void> {
    try {
      this.#task = await api.getTask(this.id);
      this.#error = null;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) this.#missing = true;
      this.#error = messageOf(err);
    }
  }

  async cancel(): Promise<void> {
    this.#cancelling = true;
    this.#cancelError = null;
    try {
      this.#task = await api.cancelTask(this.id);
    } catch (err) {
      this.#cancelError = messageOf(err);
    } finally {
      this.#cancelling = false;
    }
  }
}
