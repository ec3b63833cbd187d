/**
 * Hash routes of the manager's own screens (a window without a cluster): `#/fleet` (with
 * `?focus=<id>` to point at one card), `#/connections`, `#/connections/new`,
 * `#/connections/<id>` (edit one), `#/notifications`. Anything else is the fleet.
 */
export type ManagerRoute =
  | { name: 'fleet'; focus: string | null }
  | { name: 'connections'; editing: 'new' | string | null }
  | { name: 'notifications' };

export function parseManagerRoute(hash: string): ManagerRoute {
  const raw = hash.replace(/^#/, '');
  const q = raw.indexOf('?');
  const path = (q < 0 ? raw : raw.slice(0, q)).replace(/\/+$/, '');
  const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  if (path === '/connections') return { name: 'connections', editing: null };
  const connection = /^\/connections\/([^/]+)$/.exec(path);
  if (connection) {
    try {
      return { name: 'connections', editing: decodeURIComponent(connection[1]!) };
    } catch {
      return { name: 'connections', editing: null };
    }
  }
  if (path === '/notifications') return { name: 'notifications' };
  return { name: 'fleet', focus: query.get('focus') };
}
