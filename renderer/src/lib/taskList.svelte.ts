import { api, messageOf } from './api';
import type { TaskFilter } from './taskFilter';
import type { Task } from '@shoal/server-core/contract';

export const TASKS_PER_PAGE = 25;

/** One page of tasks for a filter, refreshed by whoever polls it. */
export class TaskList {
  #items = $state.raw<Task[]>([]);
  #total = $state(0);
  #loaded = $state(false);
  #error = $state<string | null>(null);
  #filter: TaskFilter | null = null;
  /** Answers to an older filter are dropped. */
  #generation = 0;

  get items(): Task[] {
    return this.#items;
  }
  get total(): number {
    return this.#total;
  }
  /** The current filter has answered at least once. */
  get loaded(): boolean {
    return this.#loaded;
  }
  get error(): string | null {
    return this.#error;
  }
  get skip(): number {
    return ((this.#filter?.page ?? 1) - 1) * TASKS_PER_PAGE;
  }

  /** Switches to `filter` and loads it at once (no-op when it is the same). */
  show(filter: TaskFilter): void {
    if (JSON.stringify(filter) === JSON.stringify(this.#filter)) return;
    this.#filter = filter;
    this.#generation++;
    this.#loaded = false;
    void this.refresh();
  }

  async refresh(): Promise<void> {
    const filter = this.#filter;
    if (!filter) return;
    const generation = this.#generation;
    try {
      const page = await api.listTasks({ states: filter.states, node: filter.node, take: TASKS_PER_PAGE, skip: this.skip });
      if (generation !== this.#generation) return;
      this.#items = page.items;
      this.#total = page.total;
      this.#loaded = true;
      this.#error = null;
    } catch (err) {
      if (generation === this.#generation) this.#error = messageOf(err);
    }
  }
}
