/**
 * The fleet's events as OS notifications, one per event the manager announces (it folds
 * repeats): a click brings a window forward on the event's screen.
 */
import { Notification } from 'electron';
import type { FleetNotification, ManagerCore } from '@shoal/manager/desktop';

export function showFleetNotifications(core: ManagerCore, open: (screen: FleetNotification['screen']) => void): () => void {
  // Electron forgets a notification's click handler once the object is collected: keep each until it closes.
  const shown = new Set<Notification>();
  return core.notifications.subscribe((n) => {
    if (!Notification.isSupported()) return;
    const notification = new Notification({ title: n.title, body: n.message, urgency: n.severity === 'error' ? 'critical' : 'normal' });
    shown.add(notification);
    notification.on('click', () => {
      core.notifications.markRead([n.id]);
      open(n.screen);
    });
    notification.on('close', () => shown.delete(notification));
    notification.show();
  });
}
