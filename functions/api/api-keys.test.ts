import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeySchema } from '#shared/api/api-key-schemas.ts';
import { createApiKey } from '#shared/data/api-keys.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { createTestTenant, startTestPlatform, type TestPlatform } from '../../test/platform.ts';
import {
  type ApiClient,
  type ApiResponse,
  apiClient,
  expectError,
} from '../../test/functions/api-test-client.ts';

let platform: TestPlatform;
let api: ApiClient;
beforeAll(async () => {
  platform = await startTestPlatform();
  api = apiClient(platform.apiUrl, (await createTestTenant()).apiKey);
});
afterAll(async () => {
  await platform?.stop();
});

describe('API keys', () => {
  it('shows the secret once, lists without secrets, and a deleted key stops at once', async () => {
    const created = await api.post('/v1/api-keys', { name: 'CRM sync' });
    expect(created.status).toBe(201);
    const { secret, ...record } = created.body.apiKey;
    expect(record).toMatchObject({ name: 'CRM sync', scopes: ['write'] });
    expect(secret).toMatch(/^sk_/);

    const asNewKey = apiClient(platform.apiUrl, secret);
    expect((await asNewKey.get('/v1/agents')).status).toBe(200);

    const list = await api.get('/v1/api-keys?limit=100');
    const listed = list.body.items.find((k: { id: string }) => k.id === record.id);
    expect(ApiKeySchema.parse(listed)).toEqual({ ...record, lastUsedAt: expect.any(String) });
    expect(JSON.stringify(list.body)).not.toContain(secret);

    expect((await api.delete(`/v1/api-keys/${record.id}`)).status).toBe(204);
    expectError(await asNewKey.get('/v1/agents'), 401, 'unauthorized');
    expectError(await api.delete(`/v1/api-keys/${record.id}`), 404, 'not_found');
  });

  it('records when a key was last used', async () => {
    const created = (await api.post('/v1/api-keys', { name: 'usage' })).body.apiKey;
    const findKey = async () =>
      (await api.get('/v1/api-keys?limit=100')).body.items.find((k: { id: string }) => k.id === created.id);
    expect((await findKey()).lastUsedAt).toBeUndefined();
    const before = new Date().toISOString();
    expect((await apiClient(platform.apiUrl, created.secret).get('/v1/agents')).status).toBe(200);
    const used = await findKey();
    expect(ApiKeySchema.parse(used).lastUsedAt! >= before).toBe(true);
  });

  it('pages through keys', async () => {
    const tenant = await createTestTenant();
    const own = apiClient(platform.apiUrl, tenant.apiKey);
    for (let i = 0; i < 3; i++) await own.post('/v1/api-keys', { name: `k${i}` });
    const first = await own.get('/v1/api-keys?limit=3');
    expect(first.body.items).toHaveLength(3);
    expect(first.body.nextCursor).toBeTruthy();
    const second = await own.get(`/v1/api-keys?limit=3&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    const names = [...first.body.items, ...second.body.items].map((k: { name: string }) => k.name);
    expect(new Set(names)).toEqual(new Set(['test', 'k0', 'k1', 'k2']));
  });

  it('enforces scopes: read keys only GET; only admin keys manage keys', async () => {
    const read = (await api.post('/v1/api-keys', { name: 'dashboard', scopes: ['read'] })).body.apiKey;
    const write = (await api.post('/v1/api-keys', { name: 'backend', scopes: ['write'] })).body.apiKey;
    const asRead = apiClient(platform.apiUrl, read.secret);
    const asWrite = apiClient(platform.apiUrl, write.secret);
    expect((await asRead.get('/v1/agents')).status).toBe(200);
    expectError(await asRead.post('/v1/agents', { name: 'x', instructions: 'y' }), 403, 'forbidden');
    expect((await asWrite.post('/v1/agents', { name: 'x', instructions: 'y' })).status).toBe(201);
    expectError(
      await asWrite.post('/v1/api-keys', { name: 'escalate', scopes: ['admin'] }),
      403,
      'forbidden',
    );
    expectError(await asWrite.get('/v1/api-keys'), 403, 'forbidden');
    expectError(await asWrite.delete(`/v1/api-keys/${read.id}`), 403, 'forbidden');
  });

  it('validates key creation', async () => {
    expectError(await api.post('/v1/api-keys', {}), 400, 'validation_error');
    expectError(await api.post('/v1/api-keys', { name: 'x', scopes: ['root'] }), 400, 'validation_error');
    expectError(await api.post('/v1/api-keys', { name: 'x', scopes: [] }), 400, 'validation_error');
    expectError(await api.post('/v1/api-keys', { name: 'x', secret: 'mine' }), 400, 'validation_error');
  });

  it("answers another tenant's key id with 404, and never lists it", async () => {
    const other = apiClient(platform.apiUrl, (await createTestTenant()).apiKey);
    const theirs = (await other.post('/v1/api-keys', { name: 'theirs' })).body.apiKey;
    const foreign = await api.delete(`/v1/api-keys/${theirs.id}`);
    const missing = await api.delete('/v1/api-keys/key_01JZZZZZZZZZZZZZZZZZZZZZZZ');
    expectError(foreign, 404, 'not_found');
    expect(foreign.body.error.message).toBe(missing.body.error.message);
    expect((await apiClient(platform.apiUrl, theirs.secret).get('/v1/agents')).status).toBe(200);
    const mine = await api.get('/v1/api-keys?limit=100');
    expect(mine.body.items.map((k: { id: string }) => k.id)).not.toContain(theirs.id);
  });
});

/**
 * Fires `n` requests at once. The limiter counts per wall-clock second on this same machine, so
 * at most `perSecond` requests can pass in each second the burst touched.
 */
async function burst(client: ApiClient, n: number) {
  const startSecond = Math.floor(Date.now() / 1000);
  const responses = await Promise.all(Array.from({ length: n }, () => client.get('/v1/agents?limit=1')));
  const windows = Math.floor(Date.now() / 1000) - startSecond + 1;
  return { responses, windows, passed: responses.filter((r: ApiResponse) => r.status === 200).length };
}

describe('rate limits', () => {
  it('limits a tenant across all of its keys, with 429 and Retry-After', async () => {
    const tenant = await createTestTenant({ maxConcurrentCalls: 5, requestsPerSecond: 3 });
    const second = await createApiKey(dbFromEnv(), {
      tenantId: tenant.tenant.id,
      name: 'second',
      scopes: ['read'],
    });
    const [a, b] = await Promise.all([
      burst(apiClient(platform.apiUrl, tenant.apiKey), 10),
      burst(apiClient(platform.apiUrl, second.secret), 10),
    ]);
    const responses = [...a.responses, ...b.responses];
    const passed = a.passed + b.passed;
    const limited = responses.filter((r) => r.status === 429);
    expect(passed).toBeGreaterThanOrEqual(1);
    expect(passed).toBeLessThanOrEqual(3 * Math.max(a.windows, b.windows));
    expect(limited.length).toBe(20 - passed);
    for (const res of limited) {
      expectError(res, 429, 'rate_limited');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
  });

  it("limits a key to its own cap without touching the tenant's other keys", async () => {
    const tenant = await createTestTenant({ maxConcurrentCalls: 5, requestsPerSecond: 1000 });
    const own = apiClient(platform.apiUrl, tenant.apiKey);
    const slow = (await own.post('/v1/api-keys', { name: 'slow', requestsPerSecond: 2 })).body.apiKey;
    expect(slow.requestsPerSecond).toBe(2);
    const { responses, windows, passed } = await burst(apiClient(platform.apiUrl, slow.secret), 12);
    const limited = responses.filter((r) => r.status === 429);
    expect(passed).toBeLessThanOrEqual(2 * windows);
    expect(limited.length).toBe(12 - passed);
    expect(limited[0]?.body.error.details).toMatchObject({ scope: `key:${slow.id}`, limit: 2 });
    const others = await burst(own, 10);
    expect(others.passed).toBe(10);
  });
});
