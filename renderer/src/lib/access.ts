import type { Permission, User } from '@shoal/server-core/contract';

/**
 * Whether the user's roles give a permission, to hide or disable what they cannot do. The
 * server still decides: a Deployer limited to some environments has `deploy`, and is
 * refused elsewhere in words.
 */
export const can = (user: User | null, permission: Permission): boolean => !!user && (user.isAdmin || user.permissions.includes(permission));
