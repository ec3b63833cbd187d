import { Fleet } from './fleet.svelte';
import { managerHost } from './host';
import { NotificationFeed } from './notifications.svelte';

/** The manager's state for this window, made once when the screens run in the manager. */
class ManagerState {
  readonly fleet: Fleet;
  readonly notifications: NotificationFeed;
  #started = false;

  constructor(host: NonNullable<typeof managerHost>) {
    this.fleet = new Fleet(host.bridge);
    this.notifications = new NotificationFeed(host.bridge, host.desktop);
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    void this.fleet.start();
    void this.notifications.start();
  }
}

export const manager: ManagerState | null = managerHost ? new ManagerState(managerHost) : null;
