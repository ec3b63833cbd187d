import type { FleetNotification } from '@shoal/manager/bridge';
import { clusterHref, managerHref } from './host';

/** Where a notification leads: the cluster's Nodes page for a node's news, the fleet for a cluster's. */
export function screenHref(screen: FleetNotification['screen']): string {
  return screen.view === 'nodes' ? clusterHref(screen.connectionId, '#/nodes') : managerHref(`#/fleet?focus=${encodeURIComponent(screen.connectionId)}`);
}
