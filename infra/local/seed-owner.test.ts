import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbFromEnv } from '#shared/data/client.ts';
import { keyringFromEnv } from '#shared/people/signing-keys.ts';
import { createTestTenant, startTestPlatform, type TestPlatform } from '../../test/platform.ts';
import { ensureLocalOwner } from './seed-owner.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(async () => {
  await platform?.stop();
});

describe('the local owner printed by npm start', () => {
  it('is a working owner invitation until accepted, then just the email to sign in with', async () => {
    const { tenant } = await createTestTenant();
    const deps = {
      db: dbFromEnv(),
      keyring: keyringFromEnv(),
      masterKey: platform.secrets.INTERNAL_SIGNING_KEY,
    };
    const input = {
      tenantId: tenant.id,
      consoleUrl: 'http://127.0.0.1:5173',
      email: 'owner.seed@example.com',
    };
    const first = await ensureLocalOwner(deps, input);
    expect(first.invitationUrl).toMatch(/^http:\/\/127\.0\.0\.1:5173\/accept-invitation\?token=inv_/);
    const token = new URL(first.invitationUrl as string).searchParams.get('token');
    const accepted = await fetch(`${platform.apiUrl}/v1/auth/accept-invitation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, password: 'plum-harbor-violet-42', name: 'Dev owner' }),
    });
    expect((await accepted.json()).user).toMatchObject({ role: 'owner', email: 'owner.seed@example.com' });
    expect(await ensureLocalOwner(deps, input)).toEqual({ email: 'owner.seed@example.com' });
  });
});
