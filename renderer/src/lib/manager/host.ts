/**
 * Where the screens run. Served by a node, they are that node's portal, as always. In the
 * manager — shoal-manager's page or the desktop app's window, both marked with
 * `<meta name="shoal-host" content="manager">` — they are the fleet's screens and, with
 * `?connection=<id>` in the address, the portal of that cluster through the manager's proxy.
 */
import { httpBridge, type ShoalBridge } from './bridge';

declare global {
  interface Window {
    /** The desktop app's preload: the manager's bridge over IPC. */
    shoal?: ShoalBridge;
  }
}

export interface ManagerHost {
  bridge: ShoalBridge;
  /** The desktop app (Electron): OS notifications come from its main process, not from the page. */
  desktop: boolean;
  /** The cluster this window shows; null for the fleet's own screens. */
  connectionId: string | null;
}

/** The prefix under which a connection's API is reached from the page, in both shells. */
export const connectionApiBase = (connectionId: string): string => `/connections/${encodeURIComponent(connectionId)}`;

function detect(): ManagerHost | null {
  if (document.querySelector('meta[name="shoal-host"]')?.getAttribute('content') !== 'manager') return null;
  const connectionId = new URLSearchParams(location.search).get('connection') || null;
  if (window.shoal) return { bridge: window.shoal, desktop: true, connectionId };
  return { bridge: httpBridge(), desktop: false, connectionId };
}

/** null when a node serves the portal itself. */
export const managerHost: ManagerHost | null = detect();

/** The page of this window, without its query and hash (/, or app://shoal/index.html). */
const page = () => location.pathname;

/** The fleet's screens (no cluster): `#/fleet`, `#/connections`, `#/notifications`. */
export const managerHref = (hash: string): string => `${page()}${hash}`;

/** A cluster's portal in a window: `hash` is a portal route (#/nodes, #/tasks/…). */
export const clusterHref = (connectionId: string, hash = '#/tasks'): string => `${page()}?connection=${encodeURIComponent(connectionId)}${hash}`;

/** Opens a screen in this window, or in a new one (the desktop app opens it as its own window). */
export function openScreen(href: string, where: 'here' | 'new-window' = 'here'): void {
  if (where === 'new-window') window.open(href, '_blank', 'noopener');
  else location.assign(href);
}
