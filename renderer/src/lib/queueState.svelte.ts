import { api, messageOf } from './api';

/** Whether the cluster's task queue is paused, refreshed by whoever polls it. */
export class QueueState {
  #paused = $state<boolean | null>(null);
  #error = $state<string | null>(null);
  #busy = $state(false);

  /** null until the first answer. */
  get paused(): boolean | null {
    return this.#paused;
  }
  get error(): string | null {
    return this.#error;
  }
  get busy(): boolean {
    return this.#busy;
  }

  async refresh(): Promise<void> {
    if (this.#busy) return;
    try {
      this.#paused = (await api.getQueue()).paused;
    } catch {
      // the page's own list shows connection problems; this stays as last known
    }
  }

  async set(paused: boolean): Promise<void> {
    this.#busy = true;
    this.#error = null;
    try {
      this.#paused = (await api.setQueue({ paused })).paused;
    } catch (err) {
      this.#error = messageOf(err);
    } finally {
      this.#busy = false;
    }
  }
}
