/**
 * Hash routes, so the same build works served by a node at / and from file:// in the
 * desktop app: `#/login`, `#/tasks?node=N&state=A,B&page=2`, `#/tasks/ServerTasks-3`, `#/nodes`,
 * `#/nodes/<name>/maintenance`, `#/users` and `#/users/teams` (administration), `#/account` (your own); deployments:
 * `#/dashboard`, `#/environments`, `#/targets`, `#/lifecycles`, `#/projects`, `#/projects/Projects-1[/process|/variables|/runbooks]`,
 * `#/releases/Releases-1`, `#/deployments/Deployments-1`, `#/runbook-runs/RunbookRuns-1`.
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
  | { name: 'dashboard' }
  | { name: 'environments' }
  | { name: 'targets' }
  | { name: 'lifecycles' }
  | { name: 'projects' }
  | { name: 'project'; id: string; tab: ProjectTab }
  | { name: 'release'; id: string }
  | { name: 'deployment'; id: string }
  | { name: 'runbookRun'; id: string }
  | { name: 'notFound'; path: string };

export const HOME = '#/tasks';

/** The address without a page: `#`, `#/` or nothing. */
export const isBare = (hash: string): boolean => hash === '' || hash === '#' || hash === '#/';

export type UsersTab = 'users' | 'teams';

export const PROJECT_TABS = ['releases', 'process', 'variables', 'runbooks'] as const;
export type ProjectTab = (typeof PROJECT_TABS)[number];

/** `/<collection>/<id>` pages: the route name of each collection. */
const ONE_OF = { tasks: 'task', releases: 'release', deployments: 'deployment', 'runbook-runs': 'runbookRun' } as const;

/** A path segment as the address bar has it; null for a malformed %-escape. */
function decoded(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

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
  if (path === '/dashboard') return { name: 'dashboard' };
  if (path === '/environments') return { name: 'environments' };
  if (path === '/targets') return { name: 'targets' };
  if (path === '/lifecycles') return { name: 'lifecycles' };
  if (path === '/projects') return { name: 'projects' };
  const project = /^\/projects\/([^/]+)(?:\/([a-z]+))?$/.exec(path);
  const tab = (project?.[2] ?? 'releases') as ProjectTab;
  if (project && PROJECT_TABS.includes(tab)) {
    const id = decoded(project[1]!);
    if (id !== null) return { name: 'project', id, tab };
  }
  const one = /^\/([a-z-]+)\/([^/]+)$/.exec(path);
  if (one && Object.hasOwn(ONE_OF, one[1]!)) {
    const id = decoded(one[2]!);
    if (id !== null) return { name: ONE_OF[one[1] as keyof typeof ONE_OF], id };
  }
  const maintenance = /^\/nodes\/([^/]+)\/maintenance$/.exec(path);
  const node = maintenance ? decoded(maintenance[1]!) : null;
  if (node !== null) return { name: 'maintenance', node };
  return { name: 'notFound', path };
}
