/** A shared "now" that ticks every second, for relative times and running durations. */
class Clock {
  #now = $state(Date.now());

  constructor() {
    setInterval(() => {
      this.#now = Date.now();
    }, 1000);
  }

  get now(): number {
    return this.#now;
  }
}

export const clock = new Clock();
