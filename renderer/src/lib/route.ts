/**
 * Hash routes, so the same build works served by a node at / and from file:// in the
 * desktop app: `#/login`, `#/tasks?node=N&state=A,B&page=2`, `#/tasks/ServerTasks-3`, `#/nodes`,
 * `#/nodes/<name>/maintenance`, `#/users` and `#/users/teams` (administration), `#/account` (your own).
 */
export type Route =
  | { name: 'login' }
  | { name: 'tasks'; query: URLSearchParams }
  | { name: 'task'; id: string }
  | { name: 'nodes' }
  | { name: 'maintenance'; node: string }
  | { name: 'library' }
  | { name: 'settingsStorage' }
  | { name: 'moveToHa' }
  | { name: 'users'; tab: UsersTab }
  | { name: 'account' }
  | { name: 'notFound'; path: string };

export const HOME = '#/tasks';

export type UsersTab = 'users' | 'teams';

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const q = raw.indexOf('?');
  const path = (q < 0 ? raw : raw.slice(0, q)).replace(/\/+$/, '') || '/';
  const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  if (path === '/login') return { name: 'login' };
  if (path === '/tasks' || path === '/') return { name: 'tasks', query };
  if (path === '/nodes') return { name: 'nodes' };
  if (path === '/library') return { name: 'library' };
  if (path === '/settings' || path === '/settings/storage') return { name: 'settingsStorage' };
  if (path === '/move-to-ha') return { name: 'moveToHa' };
  if (path === '/users') return { name: 'users', tab: 'users' };
  if (path === '/users/teams') return { name: 'users', tab: 'teams' };
  if (path === '/account') return { name: 'account' };
  const task = /^\/tasks\/([^/]+)$/.exec(path);
  if (task) {
    try {
      return { name: 'task', id: decodeURIComponent(task[1]!) };
    } catch {
      return { name: 'notFound', path }; // malformed %-escape
    }
  }
  const maintenance = /^\/nodes\/([^/]+)\/maintenance$/.exec(path);
  if (maintenance) {
    try {
      return { name: 'maintenance', node: decodeURIComponent(maintenance[1]!) };
    } catch {
      return { name: 'notFound', path };
    }
  }
  return { name: 'notFound', path };
}
