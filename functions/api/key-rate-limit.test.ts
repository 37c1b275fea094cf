import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestPlatform, type TestPlatform } from '../../test/platform.ts';
import { apiClient, expectError } from '../../test/functions/api-test-client.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(async () => {
  await platform?.stop();
});

/**
 * Windows are whole wall-clock seconds; start a burst early in one so it cannot straddle two.
 * There is no event to wait for here, only the clock.
 */
async function startOfFreshSecond(): Promise<void> {
  const left = 1000 - (Date.now() % 1000);
  await new Promise((r) => setTimeout(r, left + 5));
}

describe('per-key rate limits', () => {
  it('requests refused by a capped key do not use up the tenant window of its other keys', async () => {
    const owner = await createTestTenant({ maxConcurrentCalls: 5, requestsPerSecond: 4 });
    const admin = apiClient(platform.apiUrl, owner.apiKey);
    const capped = await admin.post('/v1/api-keys', {
      name: 'capped',
      scopes: ['read'],
      requestsPerSecond: 1,
    });
    expect(capped.status).toBe(201);
    const other = await admin.post('/v1/api-keys', { name: 'other', scopes: ['read'] });
    expect(other.status).toBe(201);
    const cappedApi = apiClient(platform.apiUrl, capped.body.apiKey.secret);
    const otherApi = apiClient(platform.apiUrl, other.body.apiKey.secret);

    await startOfFreshSecond();
    const burst = await Promise.all(Array.from({ length: 6 }, () => cappedApi.get('/v1/agents')));
    const accepted = burst.filter((r) => r.status === 200).length;
    expect(accepted).toBeGreaterThanOrEqual(1);
    expect(accepted).toBeLessThanOrEqual(2);
    for (const refused of burst.filter((r) => r.status !== 200)) expectError(refused, 429, 'rate_limited');
    expect(refused(burst).every((r) => r.body.error.details.scope.startsWith('key:'))).toBe(true);

    // The tenant allows 4 a second; only the capped key's one accepted request counted.
    const after = await Promise.all([otherApi.get('/v1/agents'), otherApi.get('/v1/agents')]);
    expect(after.map((r) => r.status)).toEqual([200, 200]);
  });
});

function refused(responses: { status: number; body: { error: { details: { scope: string } } } }[]) {
  return responses.filter((r) => r.status === 429);
}
