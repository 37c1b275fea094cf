import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../test/platform.ts';
import {
  type ApiClient,
  type ApiResponse,
  apiClient,
  expectError,
} from '../../test/functions/api-test-client.ts';
import {
  enrolMfa,
  inviteAndAccept,
  STRONG_PASSWORD,
  type SignedInUser,
  uniqueEmail,
} from '../../test/functions/people-test-kit.ts';

/**
 * The permission table over real HTTP: one representative route per class, called by every role
 * and every key scope; then tenant isolation for people routes, and the tenant's MFA requirement.
 */
let platform: TestPlatform;
let owner: SignedInUser;
const callers: Record<string, ApiClient> = {};

async function ownerOfNewTenant(admin: ApiClient, name: string): Promise<SignedInUser> {
  const email = uniqueEmail('owner');
  const created = await admin.post('/v1/tenants', { name, ownerEmail: email });
  const accepted = await apiClient(platform.apiUrl).post('/v1/auth/accept-invitation', {
    token: created.body.ownerInvitation.token,
    password: STRONG_PASSWORD,
    name: 'Owner',
  });
  expect(accepted.status).toBe(201);
  return {
    id: accepted.body.user.id,
    email,
    accessToken: accepted.body.accessToken,
    refreshToken: accepted.body.refreshToken,
    api: apiClient(platform.apiUrl, accepted.body.accessToken),
  };
}

beforeAll(async () => {
  // Dozens of requests a second from one tenant: the role table, not the rate limit, is under test.
  platform = await startTestPlatform({ env: { DEFAULT_REQUESTS_PER_SECOND: '1000' } });
  const admin = apiClient(platform.apiUrl, platform.secrets.ADMIN_API_KEY);
  owner = await ownerOfNewTenant(admin, 'Role Co');
  callers.owner = owner.api;
  for (const role of ['admin', 'member', 'viewer'])
    callers[role] = (await inviteAndAccept(platform.apiUrl, owner.api, role)).api;
  for (const scope of ['read', 'write', 'admin']) {
    const key = await owner.api.post('/v1/api-keys', { name: `${scope} key`, scopes: [scope] });
    expect(key.status).toBe(201);
    callers[`${scope} key`] = apiClient(platform.apiUrl, key.body.apiKey.secret);
  }
});
afterAll(async () => {
  await platform?.stop();
});

type RouteClass = 'read' | 'write' | 'admin' | 'owner';
const ROUTES: Record<RouteClass, { name: string; call: (api: ApiClient) => Promise<ApiResponse> }[]> = {
  read: [
    { name: 'GET /v1/agents', call: (api) => api.get('/v1/agents') },
    { name: 'GET /v1/users', call: (api) => api.get('/v1/users') },
  ],
  write: [
    {
      name: 'POST /v1/agents',
      call: (api) => api.post('/v1/agents', { name: 'Agent', instructions: 'Hi.' }),
    },
  ],
  admin: [
    { name: 'GET /v1/audit-events', call: (api) => api.get('/v1/audit-events') },
    { name: 'GET /v1/api-keys', call: (api) => api.get('/v1/api-keys') },
    {
      name: 'POST /v1/invitations',
      call: (api) => api.post('/v1/invitations', { email: uniqueEmail('x'), role: 'viewer' }),
    },
  ],
  owner: [
    {
      name: 'PATCH /v1/security-settings',
      call: (api) => api.patch('/v1/security-settings', { mfaRequired: false }),
    },
  ],
};
const ALLOWED: Record<string, RouteClass[]> = {
  viewer: ['read'],
  member: ['read', 'write'],
  admin: ['read', 'write', 'admin'],
  owner: ['read', 'write', 'admin', 'owner'],
  'read key': ['read'],
  'write key': ['read', 'write'],
  'admin key': ['read', 'write', 'admin'],
};

describe('the role table over HTTP', () => {
  const cases = Object.entries(ALLOWED).flatMap(([caller, allowed]) =>
    (Object.keys(ROUTES) as RouteClass[]).flatMap((routeClass) =>
      ROUTES[routeClass].map((route) => [caller, route.name, allowed.includes(routeClass), route] as const),
    ),
  );
  it.each(cases)('%s → %s allowed: %s', async (caller, _name, allowed, route) => {
    const res = await route.call(callers[caller] as ApiClient);
    if (allowed) expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    else expectError(res, 403, 'forbidden');
  });

  it('only owners make owners; admins cannot touch them', async () => {
    const adminUser = await inviteAndAccept(platform.apiUrl, owner.api, 'admin');
    expectError(
      await adminUser.api.post('/v1/invitations', { email: uniqueEmail('o'), role: 'owner' }),
      403,
      'forbidden',
    );
    expectError(await adminUser.api.patch(`/v1/users/${owner.id}`, { role: 'viewer' }), 403, 'forbidden');
    expectError(await adminUser.api.delete(`/v1/users/${owner.id}`), 403, 'forbidden');
    const promoted = await owner.api.patch(`/v1/users/${adminUser.id}`, { role: 'owner' });
    expect(promoted.body.user.role).toBe('owner');
    // Two owners now: the first may step down, and the change shows in the audit log at once.
    expect((await owner.api.patch(`/v1/users/${owner.id}`, { role: 'admin' })).status).toBe(200);
    expectError(await owner.api.patch('/v1/security-settings', { mfaRequired: false }), 403, 'forbidden');
    const events = (await adminUser.api.get('/v1/audit-events?action=user.role_changed')).body.items;
    expect(events.map((e: { details: unknown }) => e.details)).toEqual(
      expect.arrayContaining([
        { from: 'owner', to: 'admin' },
        { from: 'admin', to: 'owner' },
      ]),
    );
    await adminUser.api.patch(`/v1/users/${owner.id}`, { role: 'owner' });
  });

  it('a removed user is signed out at once', async () => {
    const member = await inviteAndAccept(platform.apiUrl, owner.api, 'member');
    expect((await member.api.get('/v1/agents')).status).toBe(200);
    expect((await owner.api.delete(`/v1/users/${member.id}`)).status).toBe(204);
    expectError(await member.api.get('/v1/agents'), 401, 'invalid_token');
  });
});

describe('tenant isolation for people', () => {
  it("a key and a session of another tenant both see 404s for this tenant's users and invitations", async () => {
    const admin = apiClient(platform.apiUrl, platform.secrets.ADMIN_API_KEY);
    const intruderOwner = await ownerOfNewTenant(admin, 'Intruder Co');
    const intruderKey = apiClient(
      platform.apiUrl,
      (await intruderOwner.api.post('/v1/api-keys', { name: 'k', scopes: ['admin'] })).body.apiKey.secret,
    );
    const invitation = (
      await owner.api.post('/v1/invitations', { email: uniqueEmail('victim'), role: 'member' })
    ).body.invitation;
    const missingUser = 'usr_01JZZZZZZZZZZZZZZZZZZZZZZZ';
    const missingInvite = 'inv_01JZZZZZZZZZZZZZZZZZZZZZZZ';
    const shape = (r: ApiResponse) => ({
      status: r.status,
      code: r.body?.error?.code,
      message: r.body?.error?.message,
    });
    for (const intruder of [intruderKey, intruderOwner.api]) {
      for (const [method, path, missing, body] of [
        ['GET', `/v1/users/${owner.id}`, `/v1/users/${missingUser}`, undefined],
        ['PATCH', `/v1/users/${owner.id}`, `/v1/users/${missingUser}`, { name: 'Hijacked' }],
        ['DELETE', `/v1/users/${owner.id}`, `/v1/users/${missingUser}`, undefined],
        ['DELETE', `/v1/invitations/${invitation.id}`, `/v1/invitations/${missingInvite}`, undefined],
      ] as const) {
        const foreign = await intruder.request(method, path, { body });
        expect(shape(foreign)).toEqual(shape(await intruder.request(method, missing, { body })));
        expect(foreign.status).toBe(404);
      }
      const listed = JSON.stringify([
        (await intruder.get('/v1/users')).body,
        (await intruder.get('/v1/invitations')).body,
        (await intruder.get('/v1/audit-events')).body,
      ]);
      expect(listed).not.toContain(owner.id);
      expect(listed).not.toContain(invitation.id);
    }
    expect((await owner.api.get(`/v1/users/${owner.id}`)).body.user.name).toBe('Owner');
  });
});

describe('a tenant that requires MFA', () => {
  it('lets members without MFA only enrol, then everything their role allows', async () => {
    const member = await inviteAndAccept(platform.apiUrl, owner.api, 'member');
    expectError(await owner.api.patch('/v1/security-settings', { mfaRequired: true }), 409, 'conflict');
    await enrolMfa(owner);
    expect(
      (await owner.api.patch('/v1/security-settings', { mfaRequired: true })).body.settings.mfaRequired,
    ).toBe(true);
    expectError(await member.api.get('/v1/agents'), 403, 'mfa_enrollment_required');
    expect((await member.api.get('/v1/auth/me')).body.mfaRequired).toBe(true);
    await enrolMfa(member);
    expect((await member.api.get('/v1/agents')).status).toBe(200);
    expectError(
      await member.api.request('DELETE', '/v1/auth/mfa', { body: { code: '123456' } }),
      409,
      'conflict',
    );
    expect((await owner.api.patch('/v1/security-settings', { mfaRequired: false })).status).toBe(200);
    const events = (await owner.api.get('/v1/audit-events?action=security.updated')).body.items;
    expect(events[0]).toMatchObject({ actor: { type: 'user', id: owner.id }, target: { type: 'tenant' } });
  });
});
