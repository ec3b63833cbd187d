import type { Permission, User } from '@shoal/server-core/contract';
import { HOME } from './route';

/**
 * Whether the user's roles give a permission, to hide or disable what they cannot do. The
 * server still decides: a Deployer limited to some environments has `deploy`, and is
 * refused elsewhere in words.
 */
export const can = (user: User | null, permission: Permission): boolean => !!user && (user.isAdmin || user.permissions.includes(permission));

/** Where logging in leads when no page sent the user there: the Dashboard for those who deploy, Tasks for the others. */
export const landingFor = (user: User): string => (can(user, 'admin') || can(user, 'deploy') ? '#/dashboard' : HOME);
