import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbFromEnv } from '#shared/data/client.ts';
import { signingSecrets } from '#shared/webhooks/secret-store.ts';
import { createTestTenant, startTestPlatform, type TestPlatform } from '../../test/platform.ts';
import { apiClient, expectError } from '../../test/functions/api-test-client.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(async () => {
  await platform?.stop();
});

describe('POST /v1/webhook-secret/rotate', () => {
  it('needs an admin-scoped key: write and read keys get 403 and the secret is unchanged', async () => {
    const owner = await createTestTenant();
    const admin = apiClient(platform.apiUrl, owner.apiKey);
    const first = await admin.post('/v1/webhook-secret/rotate');
    expect(first.status).toBe(201);
    for (const scopes of [['write'], ['read'], ['read', 'write']]) {
      const key = (await admin.post('/v1/api-keys', { name: scopes.join('+'), scopes })).body.apiKey.secret;
      const res = await apiClient(platform.apiUrl, key).post('/v1/webhook-secret/rotate');
      expectError(res, 403, 'forbidden');
      expect(JSON.stringify(res.body)).not.toContain('whsec_');
    }
    // Deliveries are still signed with the first secret alone: the refused rotations changed nothing.
    const signing = await signingSecrets(dbFromEnv(), owner.tenant.id, platform.secrets.INTERNAL_SIGNING_KEY);
    expect(signing).toEqual([first.body.secret]);
  });
});
