import { describe, expect, it } from 'vitest';
import { canAssignRole, type Grantee, isAllowed, type Permission, routePermission } from './permissions.ts';

const viewer: Grantee = { kind: 'user', role: 'viewer' };
const member: Grantee = { kind: 'user', role: 'member' };
const admin: Grantee = { kind: 'user', role: 'admin' };
const owner: Grantee = { kind: 'user', role: 'owner' };
const readKey: Grantee = { kind: 'apiKey', scopes: ['read'] };
const writeKey: Grantee = { kind: 'apiKey', scopes: ['write'] };
const adminKey: Grantee = { kind: 'apiKey', scopes: ['admin'] };
const mixedKey: Grantee = { kind: 'apiKey', scopes: ['read', 'write'] };

describe('the permission table', () => {
  it.each<[string, Grantee, Record<Permission, boolean>]>([
    ['viewer', viewer, { read: true, write: false, admin: false, owner: false }],
    ['member', member, { read: true, write: true, admin: false, owner: false }],
    ['admin', admin, { read: true, write: true, admin: true, owner: false }],
    ['owner', owner, { read: true, write: true, admin: true, owner: true }],
    ['read key', readKey, { read: true, write: false, admin: false, owner: false }],
    ['write key', writeKey, { read: true, write: true, admin: false, owner: false }],
    ['read+write key', mixedKey, { read: true, write: true, admin: false, owner: false }],
    ['admin key', adminKey, { read: true, write: true, admin: true, owner: false }],
    [
      'key without scopes',
      { kind: 'apiKey', scopes: [] },
      { read: false, write: false, admin: false, owner: false },
    ],
  ])('%s', (_name, grantee, expected) => {
    const actual = Object.fromEntries(
      (Object.keys(expected) as Permission[]).map((p) => [p, isAllowed(grantee, p)]),
    );
    expect(actual).toEqual(expected);
  });

  it.each([
    ['GET', undefined, 'read'],
    ['POST', undefined, 'write'],
    ['PATCH', undefined, 'write'],
    ['DELETE', undefined, 'write'],
    ['GET', 'admin', 'admin'],
    ['PATCH', 'owner', 'owner'],
  ] as const)('%s with declared %s is class %s', (method, declared, expected) => {
    expect(routePermission(method, declared)).toBe(expected);
  });

  it.each([
    [admin, 'member', true],
    [admin, 'admin', true],
    [admin, 'owner', false],
    [owner, 'owner', true],
    [adminKey, 'admin', true],
    [adminKey, 'owner', false],
    [member, 'viewer', false],
  ] as const)('role assignment %#', (grantee, role, expected) => {
    expect(canAssignRole(grantee, role)).toBe(expected);
  });
});
