/** The tray icon: the fleet, the notification centre (with how many are unread), quit. */
import { Menu, nativeImage, Tray } from 'electron';

export interface TrayActions {
  openFleet(): void;
  openNotifications(): void;
  quit(): void;
  unread(): number;
}

export function createTray(iconFile: string, a: TrayActions): { tray: Tray; refresh(): void } {
  const tray = new Tray(nativeImage.createFromPath(iconFile));
  const refresh = () => {
    const unread = a.unread();
    tray.setToolTip(unread ? `Shoal: ${unread} unread notification${unread === 1 ? '' : 's'}` : 'Shoal');
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: 'Fleet', click: a.openFleet },
        { label: unread ? `Notifications (${unread} unread)` : 'Notifications', click: a.openNotifications },
        { type: 'separator' },
        { label: 'Quit Shoal', click: a.quit },
      ]),
    );
  };
  tray.on('click', a.openFleet);
  refresh();
  return { tray, refresh };
}
