/**
 * Roles and what they permit. A user's roles come from the teams they belong to; an API key
 * acts as its user (optionally narrowed to read-only). `Admin` holds every permission.
 */
import { PERMISSIONS, type Permission, type Role } from '../contract/users.js';

export { PERMISSIONS, ROLES, type Permission, type Role } from '../contract/users.js';

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  Viewer: ['read'],
  Deployer: ['read', 'package.push', 'deploy'],
  ProjectEditor: ['read', 'package.push', 'project.edit'],
  Admin: PERMISSIONS,
};

/** One team's grant: its roles and, for Deployer, the environments it is limited to (null: all). */
export interface RoleGrant {
  roles: readonly Role[];
  environmentIds: readonly string[] | null;
}

/**
 * What a user may do, merged from every team they are in. `deploy` is the one permission
 * scoped by environment: `all`, or the set of environment ids its teams allow.
 */
export class Permissions {
  private readonly granted = new Set<Permission>();
  private deployScope: 'all' | Set<string> = new Set();

  constructor(grants: readonly RoleGrant[]) {
    for (const g of grants) {
      for (const role of g.roles) {
        for (const p of ROLE_PERMISSIONS[role] ?? []) this.granted.add(p);
        if (role === 'Admin' || (role === 'Deployer' && g.environmentIds === null)) this.deployScope = 'all';
        else if (role === 'Deployer' && this.deployScope !== 'all') for (const e of g.environmentIds ?? []) this.deployScope.add(e);
      }
    }
  }

  has(p: Permission): boolean {
    return this.granted.has('admin') || this.granted.has(p);
  }

  /** Deploying (and cancelling deployments) into one environment. */
  canDeployTo(environmentId: string): boolean {
    if (!this.has('deploy')) return false;
    return this.deployScope === 'all' || this.deployScope.has(environmentId);
  }

  get isAdmin(): boolean {
    return this.granted.has('admin');
  }

  /** The roles' union as a sorted list, for the API. */
  list(): Permission[] {
    return PERMISSIONS.filter((p) => this.has(p));
  }
}
