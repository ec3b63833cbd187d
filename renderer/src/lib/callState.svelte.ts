import { messageOf } from './api';

/** The call a control makes: busy while it runs (one at a time), the server's words when it fails. */
export class CallState {
  #busy = $state(false);
  #error = $state<string | null>(null);

  get busy(): boolean {
    return this.#busy;
  }
  get error(): string | null {
    return this.#error;
  }

  /** Shows a problem found before calling (a repeated password that differs). */
  fail(message: string): void {
    this.#error = message;
  }

  clear(): void {
    this.#error = null;
  }

  /** Runs `work` unless a call is running; true when it succeeded, false (with `error` set) when it threw. */
  async run(work: () => Promise<unknown>): Promise<boolean> {
    if (this.#busy) return false;
    this.#busy = true;
    this.#error = null;
    try {
      await work();
      return true;
    } catch (err) {
      this.#error = messageOf(err);
      return false;
    } finally {
      this.#busy = false;
    }
  }
}
