import type { ApiKeyScope } from '../tenants/tenant-types.ts';

/** A team member's role within a tenant. */
export const ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Route classes. `read`: every GET of tenant data. `write`: changes to agents, numbers, calls,
 * knowledge. `admin`: keys, invitations, users, audit log, webhooks. `owner`: owners themselves
 * and the tenant's security policy.
 */
export const PERMISSIONS = ['read', 'write', 'admin', 'owner'] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * The one permission table, for people and programs alike. A key scope grants what the role of
 * the same name grants, except that no key is an owner: ownership belongs to people.
 */
export const PERMISSION_TABLE: Readonly<
  Record<Permission, { roles: readonly Role[]; scopes: readonly ApiKeyScope[] }>
> = {
  read: { roles: ['viewer', 'member', 'admin', 'owner'], scopes: ['read', 'write', 'admin'] },
  write: { roles: ['member', 'admin', 'owner'], scopes: ['write', 'admin'] },
  admin: { roles: ['admin', 'owner'], scopes: ['admin'] },
  owner: { roles: ['owner'], scopes: [] },
};

/** Who is asking: a key with its scopes or a person with a role. */
export type Grantee = { kind: 'apiKey'; scopes: readonly ApiKeyScope[] } | { kind: 'user'; role: Role };

export function isAllowed(grantee: Grantee, permission: Permission): boolean {
  const entry = PERMISSION_TABLE[permission];
  if (grantee.kind === 'user') return entry.roles.includes(grantee.role);
  return grantee.scopes.some((scope) => entry.scopes.includes(scope));
}

/**
 * The class of a route: what the handler declares (`admin`, `owner`), else `read` for GET and
 * `write` for anything that changes state.
 */
export function routePermission(method: string, declared?: Permission): Permission {
  if (declared) return declared;
  return method === 'GET' || method === 'HEAD' ? 'read' : 'write';
}

/** Roles a grantee may hand out or take away: only owners touch owners. */
export function canAssignRole(grantee: Grantee, role: Role): boolean {
  return isAllowed(grantee, role === 'owner' ? 'owner' : 'admin');
}
