import { parseRoute, type Route } from './route';

export { HOME, isBare, type Route } from './route';

/** The current hash route, kept in step with the address bar. */
class Router {
  #hash = $state(location.hash);
  #route = $derived(parseRoute(this.#hash));

  constructor() {
    window.addEventListener('hashchange', () => {
      this.#hash = location.hash;
    });
  }

  get route(): Route {
    return this.#route;
  }

  get hash(): string {
    return this.#hash;
  }

  /** Goes to `hash` (e.g. '#/nodes'); `replace` keeps the current entry out of history. */
  go(hash: string, { replace = false } = {}): void {
    if (hash === this.#hash) return;
    if (replace) {
      history.replaceState(history.state, '', hash);
      this.#hash = hash;
    } else {
      location.hash = hash;
    }
  }
}

export const router = new Router();
