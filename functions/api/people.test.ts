import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvitation } from '#shared/data/invitations.ts';
import { createPasswordReset } from '#shared/data/password-resets.ts';
import { findUserByEmail } from '#shared/data/users.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { totpCode } from '#shared/people/totp.ts';
import {
  createTestTenant,
  startTestPlatform,
  type TestPlatform,
  type TestTenant,
} from '../../test/platform.ts';
import { type ApiClient, apiClient, expectError } from '../../test/functions/api-test-client.ts';
import {
  cookieClient,
  enrolMfa,
  inviteAndAccept,
  STRONG_PASSWORD,
  uniqueEmail,
} from '../../test/functions/people-test-kit.ts';

let platform: TestPlatform;
let tenant: TestTenant;
let keyApi: ApiClient;
let anonymous: ApiClient;

beforeAll(async () => {
  platform = await startTestPlatform();
  tenant = await createTestTenant();
  keyApi = apiClient(platform.apiUrl, tenant.apiKey);
  anonymous = apiClient(platform.apiUrl);
});
afterAll(async () => {
  await platform?.stop();
});

describe('the life of a team member', () => {
  it('invite → accept → enrol MFA → sign in with TOTP → refresh → sign out, all in the audit log', async () => {
    const email = uniqueEmail('Life');
    const invited = await keyApi.post('/v1/invitations', { email, role: 'admin' });
    expect(invited.status).toBe(201);
    expect(invited.body).toEqual({
      invitation: {
        id: expect.stringMatching(/^inv_/),
        email: email.toLowerCase(),
        role: 'admin',
        expiresAt: expect.any(String),
        createdAt: expect.any(String),
      },
      token: expect.stringMatching(/^inv_/),
      url: expect.stringContaining(`/accept-invitation?token=${invited.body.token}`),
    });
    expect(Date.parse(invited.body.invitation.expiresAt) - Date.now()).toBeGreaterThan(71.9 * 3600_000);
    expect((await keyApi.get('/v1/invitations')).body.items.map((i: { id: string }) => i.id)).toContain(
      invited.body.invitation.id,
    );

    const weak = await anonymous.post('/v1/auth/accept-invitation', {
      token: invited.body.token,
      password: 'password1234',
      name: 'Ada',
    });
    expectError(weak, 400, 'weak_password');
    const accepted = await anonymous.post('/v1/auth/accept-invitation', {
      token: invited.body.token,
      password: STRONG_PASSWORD,
      name: 'Ada',
    });
    expect(accepted.status).toBe(201);
    expect(accepted.body.user).toMatchObject({
      email: email.toLowerCase(),
      name: 'Ada',
      role: 'admin',
      mfaEnabled: false,
    });
    expect(accepted.body.refreshToken).toMatch(/^rt_/);
    const cookies = accepted.headers.getSetCookie();
    expect(cookies.find((c) => c.startsWith('aic_access='))).toMatch(
      /; Path=\/; HttpOnly; Secure; SameSite=Strict; Max-Age=900$/,
    );
    expect(cookies.find((c) => c.startsWith('aic_refresh='))).toMatch(
      /Path=\/v1\/auth; HttpOnly; Secure; SameSite=Strict/,
    );
    expect(cookies.find((c) => c.startsWith('aic_csrf='))).not.toContain('HttpOnly');
    expectError(
      await anonymous.post('/v1/auth/accept-invitation', {
        token: invited.body.token,
        password: STRONG_PASSWORD,
        name: 'Eve',
      }),
      401,
      'invalid_token',
    );

    const session = apiClient(platform.apiUrl, accepted.body.accessToken);
    expect((await session.get('/v1/auth/me')).body).toMatchObject({
      user: { id: accepted.body.user.id },
      tenant: { id: tenant.tenant.id },
      mfaRequired: false,
    });
    const enrolment = await session.post('/v1/auth/mfa/enroll');
    expect(enrolment.body.otpauthUri).toMatch(/^otpauth:\/\/totp\/.+secret=/);
    expectError(
      await session.post('/v1/auth/mfa/confirm', {
        code: '000000' === totpCode(enrolment.body.secret, Date.now()) ? '111111' : '000000',
      }),
      401,
      'invalid_mfa_code',
    );
    const confirmed = await session.post('/v1/auth/mfa/confirm', {
      code: totpCode(enrolment.body.secret, Date.now()),
    });
    expect(confirmed.body.recoveryCodes).toHaveLength(10);
    const secret: string = enrolment.body.secret;

    const first = await anonymous.post('/v1/auth/sign-in', { email, password: STRONG_PASSWORD });
    expect(first.body).toEqual({ mfaRequired: true, mfaToken: expect.any(String) });
    expect(first.headers.getSetCookie()).toEqual([]);
    // The confirm consumed the current step: the next step's code (within ±1) is the fresh one.
    const code = totpCode(secret, Date.now() + 30_000);
    const signedIn = await anonymous.post('/v1/auth/mfa', { mfaToken: first.body.mfaToken, code });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user.mfaEnabled).toBe(true);

    const refreshed = await anonymous.post('/v1/auth/refresh', { refreshToken: signedIn.body.refreshToken });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refreshToken).not.toBe(signedIn.body.refreshToken);
    const current = apiClient(platform.apiUrl, refreshed.body.accessToken);
    expect((await current.get('/v1/agents')).status).toBe(200);

    expect((await current.post('/v1/auth/sign-out')).status).toBe(204);
    expectError(await current.get('/v1/agents'), 401, 'invalid_token');
    expectError(
      await anonymous.post('/v1/auth/refresh', { refreshToken: refreshed.body.refreshToken }),
      401,
      'invalid_token',
    );

    const actions = (await keyApi.get('/v1/audit-events?limit=100')).body.items.map(
      (e: { action: string }) => e.action,
    );
    for (const action of [
      'invitation.created',
      'invitation.accepted',
      'mfa.enabled',
      'auth.signed_in',
      'auth.signed_out',
    ])
      expect(actions).toContain(action);
  });

  it('a replayed TOTP code is refused, and a recovery code works once', async () => {
    const owner = await inviteAndAccept(platform.apiUrl, keyApi, 'member');
    const { secret, recoveryCodes } = await enrolMfa(owner);
    const mfaToken = async () =>
      (await anonymous.post('/v1/auth/sign-in', { email: owner.email, password: STRONG_PASSWORD })).body
        .mfaToken;
    const code = totpCode(secret, Date.now() + 30_000);
    expect((await anonymous.post('/v1/auth/mfa', { mfaToken: await mfaToken(), code })).status).toBe(200);
    expectError(
      await anonymous.post('/v1/auth/mfa', { mfaToken: await mfaToken(), code }),
      401,
      'invalid_mfa_code',
    );
    // An older step's code is a replay too.
    expectError(
      await anonymous.post('/v1/auth/mfa', {
        mfaToken: await mfaToken(),
        code: totpCode(secret, Date.now()),
      }),
      401,
      'invalid_mfa_code',
    );
    expect(
      (await anonymous.post('/v1/auth/mfa', { mfaToken: await mfaToken(), code: recoveryCodes[0] })).status,
    ).toBe(200);
    expectError(
      await anonymous.post('/v1/auth/mfa', { mfaToken: await mfaToken(), code: recoveryCodes[0] }),
      401,
      'invalid_mfa_code',
    );
    expectError(
      await anonymous.post('/v1/auth/mfa', { mfaToken: 'not.a.token', code: '123456' }),
      401,
      'invalid_token',
    );
  });

  it('reusing a rotated refresh token revokes the whole family', async () => {
    const user = await inviteAndAccept(platform.apiUrl, keyApi, 'viewer');
    const second = await anonymous.post('/v1/auth/refresh', { refreshToken: user.refreshToken });
    expect(second.status).toBe(200);
    const reused = await anonymous.post('/v1/auth/refresh', { refreshToken: user.refreshToken });
    expectError(reused, 401, 'refresh_token_reused');
    expectError(
      await anonymous.post('/v1/auth/refresh', { refreshToken: second.body.refreshToken }),
      401,
      'invalid_token',
    );
    expectError(
      await apiClient(platform.apiUrl, second.body.accessToken).get('/v1/agents'),
      401,
      'invalid_token',
    );
    const events = (await keyApi.get('/v1/audit-events?action=auth.refresh_token_reused')).body.items;
    expect(events[0]).toMatchObject({ actor: { type: 'user', id: user.id }, outcome: 'failure' });
  });

  it('an expired invitation cannot be accepted', async () => {
    const { token } = await createInvitation(dbFromEnv(), {
      tenantId: tenant.tenant.id,
      email: uniqueEmail('late'),
      role: 'member',
      invitedBy: 'test',
      nowMs: Date.now() - 72 * 3600_000 - 1_000,
    });
    expectError(
      await anonymous.post('/v1/auth/accept-invitation', { token, password: STRONG_PASSWORD, name: 'Late' }),
      401,
      'invalid_token',
    );
    expectError(
      await anonymous.post('/v1/auth/accept-invitation', {
        token: 'inv_forged',
        password: STRONG_PASSWORD,
        name: 'X',
      }),
      401,
      'invalid_token',
    );
  });

  it('browser sessions: cookies, CSRF on changes, refresh by cookie; no refresh token in the JSON', async () => {
    const user = await inviteAndAccept(platform.apiUrl, keyApi, 'member');
    const browser = cookieClient(platform.apiUrl);
    const signedIn = await browser.request('POST', '/v1/auth/sign-in', {
      body: { email: user.email, password: STRONG_PASSWORD },
    });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.refreshToken).toBeUndefined();
    expect([...browser.jar.keys()].sort()).toEqual(['aic_access', 'aic_csrf', 'aic_refresh']);
    const csrf = browser.jar.get('aic_csrf') as string;
    expect(signedIn.body.csrfToken).toBe(csrf);

    expect((await browser.request('GET', '/v1/agents')).status).toBe(200);
    const agent = { name: 'Cookie agent', instructions: 'Be brief.' };
    expectError(await browser.request('POST', '/v1/agents', { body: agent }), 403, 'csrf_failed');
    expectError(
      await browser.request('POST', '/v1/agents', { body: agent, headers: { 'x-csrf-token': `${csrf}x` } }),
      403,
      'csrf_failed',
    );
    expect(
      (await browser.request('POST', '/v1/agents', { body: agent, headers: { 'x-csrf-token': csrf } }))
        .status,
    ).toBe(201);

    const before = browser.jar.get('aic_refresh');
    expectError(await browser.request('POST', '/v1/auth/refresh'), 403, 'csrf_failed');
    // The refused refresh revoked its session (the rotation had happened): sign in again.
    await browser.request('POST', '/v1/auth/sign-in', {
      body: { email: user.email, password: STRONG_PASSWORD },
    });
    const refreshed = await browser.request('POST', '/v1/auth/refresh', {
      headers: { 'x-csrf-token': browser.jar.get('aic_csrf') as string },
    });
    expect(refreshed.status).toBe(200);
    expect(browser.jar.get('aic_refresh')).not.toBe(before);
    expectError(await browser.request('POST', '/v1/auth/sign-out'), 403, 'csrf_failed');
    expect(
      (
        await browser.request('POST', '/v1/auth/sign-out', {
          headers: { 'x-csrf-token': browser.jar.get('aic_csrf') as string },
        })
      ).status,
    ).toBe(204);
    expect(browser.jar.size).toBe(0);
  });

  it('unknown and known emails get the same answer for a wrong password', async () => {
    const user = await inviteAndAccept(platform.apiUrl, keyApi, 'viewer');
    const known = await anonymous.post('/v1/auth/sign-in', {
      email: user.email,
      password: 'wrong-password-123',
    });
    const unknown = await anonymous.post('/v1/auth/sign-in', {
      email: uniqueEmail('nobody'),
      password: 'wrong-password-123',
    });
    const shape = (r: typeof known) => ({
      status: r.status,
      code: r.body.error.code,
      message: r.body.error.message,
    });
    expect(shape(known)).toEqual(shape(unknown));
    expect(shape(known)).toEqual({
      status: 401,
      code: 'invalid_credentials',
      message: 'The email or password is wrong.',
    });
    const reset = await anonymous.post('/v1/auth/password-reset', { email: uniqueEmail('nobody') });
    expect(reset).toMatchObject({ status: 202, body: { accepted: true } });
  });

  it('the platform admin creates a tenant with its first owner invitation', async () => {
    const admin = apiClient(platform.apiUrl, platform.secrets.ADMIN_API_KEY);
    const email = uniqueEmail('founder');
    const created = await admin.post('/v1/tenants', { name: 'Founders Inc', ownerEmail: email });
    expect(created.status).toBe(201);
    expect(created.body.ownerInvitation.invitation).toMatchObject({ email, role: 'owner' });
    const accepted = await anonymous.post('/v1/auth/accept-invitation', {
      token: created.body.ownerInvitation.token,
      password: STRONG_PASSWORD,
      name: 'Founder',
    });
    expect(accepted.body.user.role).toBe('owner');
    const owner = apiClient(platform.apiUrl, accepted.body.accessToken);
    expect((await owner.get('/v1/auth/me')).body.tenant).toEqual({
      id: created.body.tenant.id,
      name: 'Founders Inc',
    });
    // The last owner can be neither demoted nor removed.
    expectError(
      await owner.patch(`/v1/users/${accepted.body.user.id}`, { role: 'admin' }),
      409,
      'last_owner',
    );
    expectError(await owner.delete(`/v1/users/${accepted.body.user.id}`), 409, 'last_owner');
  });

  it('a password reset link works once, ends every session, and the old password stops working', async () => {
    const user = await inviteAndAccept(platform.apiUrl, keyApi, 'member');
    const record = await findUserByEmail(dbFromEnv(), user.email);
    const token = await createPasswordReset(dbFromEnv(), record as NonNullable<typeof record>);
    const newPassword = 'copper-lantern-meadow-7';
    expectError(
      await anonymous.post('/v1/auth/password-reset/confirm', { token, password: 'qwertyuiop123' }),
      400,
      'weak_password',
    );
    const reset = await anonymous.post('/v1/auth/password-reset/confirm', { token, password: newPassword });
    expect(reset.status).toBe(204);
    expectError(
      await anonymous.post('/v1/auth/password-reset/confirm', { token, password: newPassword }),
      401,
      'invalid_token',
    );
    expectError(await user.api.get('/v1/agents'), 401, 'invalid_token');
    expectError(
      await anonymous.post('/v1/auth/refresh', { refreshToken: user.refreshToken }),
      401,
      'invalid_token',
    );
    expectError(
      await anonymous.post('/v1/auth/sign-in', { email: user.email, password: STRONG_PASSWORD }),
      401,
      'invalid_credentials',
    );
    expect(
      (await anonymous.post('/v1/auth/sign-in', { email: user.email, password: newPassword })).status,
    ).toBe(200);
    const actions = (await keyApi.get('/v1/audit-events?action=auth.password_reset')).body.items;
    expect(actions[0]).toMatchObject({ target: { type: 'user', id: user.id } });
  });
});
