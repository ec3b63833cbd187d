import { messageOf } from './api';

/**
 * A list the server holds, loaded by `load`: refreshed on demand, and after every change
 * made through `change`. A refresh that began before a change cannot undo what it shows.
 */
export class RemoteList<T> {
  #items = $state.raw<T[]>([]);
  #loaded = $state(false);
  #error = $state<string | null>(null);
  #generation = 0;
  readonly #load: () => Promise<T[]>;

  constructor(load: () => Promise<T[]>) {
    this.#load = load;
  }

  get items(): T[] {
    return this.#items;
  }
  get loaded(): boolean {
    return this.#loaded;
  }
  /** Why the last refresh failed; null once one succeeds. */
  get error(): string | null {
    return this.#error;
  }

  async refresh(): Promise<void> {
    const generation = this.#generation;
    try {
      const items = await this.#load();
      if (generation !== this.#generation) return;
      this.#items = items;
      this.#loaded = true;
      this.#error = null;
    } catch (err) {
      if (generation === this.#generation) this.#error = messageOf(err);
    }
  }

  /** Runs `work`, then reloads; throws the server's error for the caller to show next to its control. */
  async change<R>(work: () => Promise<R>): Promise<R> {
    this.#generation++;
    try {
      return await work();
    } finally {
      this.#generation++;
      await this.refresh();
    }
  }
}
