import { serverClockOffset } from './api';

const serverNow = () => Date.now() + serverClockOffset();

/**
 * A shared "now" that ticks every second, for relative times and running durations.
 * It is the server's now (this machine's clock corrected by the offset the API client
 * measured), since the times it is compared with come from the server.
 */
class Clock {
  #now = $state(serverNow());

  constructor() {
    setInterval(() => {
      this.#now = serverNow();
    }, 1000);
  }

  get now(): number {
    return this.#now;
  }
}

export const clock = new Clock();
