import type { FleetNotification } from '@shoal/manager/bridge';
import { messageOf } from '../api';
import type { ShoalBridge } from './bridge';
import { screenHref } from './screens';

/** Whether this page may show OS notifications: the browser's permission, or the desktop app doing it. */
export type OsNotifications = 'desktop-app' | 'granted' | 'denied' | 'default' | 'unsupported';

/**
 * The notification centre: the manager's recent fleet events, newest first, each once (the
 * manager folds repeats). In a browser the page shows each new one as an OS notification
 * (the Notification API, once the user allowed it); the desktop app's main process shows them
 * itself. Clicking one opens its screen.
 */
export class NotificationFeed {
  #items = $state.raw<FleetNotification[]>([]);
  #error = $state<string | null>(null);
  #permission = $state<OsNotifications>('unsupported');

  constructor(
    readonly bridge: ShoalBridge,
    private readonly desktop: boolean,
  ) {
    this.#permission = desktop ? 'desktop-app' : 'Notification' in window ? Notification.permission : 'unsupported';
  }

  get items(): FleetNotification[] {
    return this.#items;
  }
  get unread(): number {
    return this.#items.filter((n) => !n.read).length;
  }
  get error(): string | null {
    return this.#error;
  }
  get permission(): OsNotifications {
    return this.#permission;
  }

  async start(): Promise<void> {
    this.bridge.on('notification', (n) => {
      this.#items = [n, ...this.#items.filter((x) => x.id !== n.id)];
      this.#showOnOs(n);
    });
    // The desktop app: a clicked OS notification opens its screen in this window.
    this.bridge.on('screen:open', (screen) => location.assign(screenHref(screen)));
    await this.refresh();
  }

  async refresh(): Promise<void> {
    try {
      this.#items = await this.bridge.invoke('notifications:list');
      this.#error = null;
    } catch (err) {
      this.#error = messageOf(err);
    }
  }

  async markRead(ids: string[] | 'all'): Promise<void> {
    await this.bridge.invoke('notifications:markRead', ids);
    this.#items = this.#items.map((n) => (ids === 'all' || ids.includes(n.id) ? { ...n, read: true } : n));
  }

  /** Asks the browser for OS notifications (a click of the user's: browsers ask only then). */
  async allowOsNotifications(): Promise<void> {
    if (!('Notification' in window)) return;
    this.#permission = await Notification.requestPermission();
  }

  #showOnOs(n: FleetNotification): void {
    if (this.desktop || this.#permission !== 'granted') return;
    const shown = new Notification(n.title, { body: n.message, tag: n.id });
    shown.onclick = () => {
      window.focus();
      void this.markRead([n.id]);
      location.assign(screenHref(n.screen));
    };
  }
}
