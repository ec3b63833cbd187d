/**
 * Hash routing, so the same build works served by a node at / and from file:// in the
 * desktop app: `#/login`, `#/tasks?node=N&state=A,B&page=2`, `#/tasks/ServerTasks-3`, `#/nodes`.
 */
export type Route =
  | { name: 'login' }
  | { name: 'tasks'; query: URLSearchParams }
  | { name: 'task'; id: string }
  | { name: 'nodes' }
  | { name: 'notFound'; path: string };

export const HOME = '#/tasks';

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const q = raw.indexOf('?');
  const path = (q < 0 ? raw : raw.slice(0, q)).replace(/\/+$/, '') || '/';
  const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  if (path === '/login') return { name: 'login' };
  if (path === '/tasks' || path === '/') return { name: 'tasks', query };
  if (path === '/nodes') return { name: 'nodes' };
  const task = /^\/tasks\/([^/]+)$/.exec(path);
  if (task) return { name: 'task', id: decodeURIComponent(task[1]!) };
  return { name: 'notFound', path };
}

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
