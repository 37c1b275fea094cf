import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreatedApiKeySchema } from '#shared/api/api-key-schemas.ts';
import { TenantSchema } from '#shared/api/tenant-schemas.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { getTenant } from '#shared/data/tenants.ts';
import { createTestTenant, startTestPlatform, type TestPlatform } from '../../test/platform.ts';
import { type ApiClient, apiClient, expectError } from '../../test/functions/api-test-client.ts';

let platform: TestPlatform;
let admin: ApiClient;
beforeAll(async () => {
  platform = await startTestPlatform({
    env: { DEFAULT_MAX_CONCURRENT_CALLS: '7', DEFAULT_REQUESTS_PER_SECOND: '33' },
  });
  admin = apiClient(platform.apiUrl, platform.secrets.ADMIN_API_KEY);
});
afterAll(async () => {
  await platform?.stop();
});

describe('tenants (platform admin)', () => {
  it('creates a tenant with default limits and a working admin key shown once', async () => {
    const res = await admin.post('/v1/tenants', { name: 'Acme' });
    expect(res.status).toBe(201);
    const tenant = TenantSchema.parse(res.body.tenant);
    const apiKey = CreatedApiKeySchema.parse(res.body.apiKey);
    expect(tenant).toMatchObject({
      name: 'Acme',
      billingStatus: 'active',
      limits: { maxConcurrentCalls: 7, requestsPerSecond: 33 },
    });
    expect(tenant.id).toMatch(/^ten_/);
    expect(apiKey.scopes).toEqual(['admin']);
    expect(apiKey.secret.startsWith(apiKey.prefix)).toBe(true);

    const asTenant = apiClient(platform.apiUrl, apiKey.secret);
    const keys = await asTenant.get('/v1/api-keys');
    expect(keys.status).toBe(200);
    expect(keys.body.items.map((k: { id: string }) => k.id)).toEqual([apiKey.id]);
    expect(JSON.stringify(keys.body)).not.toContain(apiKey.secret);
  });

  it('gets and patches a tenant: name, partial limits, webhook URL, Stripe customer', async () => {
    const created = (await admin.post('/v1/tenants', { name: 'Beta', limits: { maxConcurrentCalls: 2 } }))
      .body;
    const id = created.tenant.id;
    expect(created.tenant.limits).toEqual({ maxConcurrentCalls: 2, requestsPerSecond: 33 });

    const patched = await admin.patch(`/v1/tenants/${id}`, {
      name: 'Beta Inc',
      limits: { requestsPerSecond: 5 },
      webhookUrl: 'https://hooks.example.com/ai-caller',
      stripeCustomerId: 'cus_NffrFeUfNV2Hib',
    });
    expect(patched.status).toBe(200);
    expect(TenantSchema.parse(patched.body.tenant)).toMatchObject({
      name: 'Beta Inc',
      limits: { maxConcurrentCalls: 2, requestsPerSecond: 5 },
      webhookUrl: 'https://hooks.example.com/ai-caller',
      stripeCustomerId: 'cus_NffrFeUfNV2Hib',
    });
    const fetched = await admin.get(`/v1/tenants/${id}`);
    expect(fetched.body.tenant).toEqual(patched.body.tenant);

    const cleared = await admin.patch(`/v1/tenants/${id}`, { webhookUrl: null });
    expect(cleared.body.tenant.webhookUrl).toBeUndefined();
    expect((await getTenant(dbFromEnv(), id))?.webhookUrl).toBeUndefined();
  });

  it('never lets a client set the billing status', async () => {
    const { tenant } = await createTestTenant();
    const res = await admin.patch(`/v1/tenants/${tenant.id}`, { billingStatus: 'active' });
    expectError(res, 400, 'validation_error');
  });

  it('validates input', async () => {
    expectError(await admin.post('/v1/tenants', {}), 400, 'validation_error');
    expectError(
      await admin.post('/v1/tenants', { name: 'x', limits: { maxConcurrentCalls: 0 } }),
      400,
      'validation_error',
    );
    expectError(await admin.post('/v1/tenants', { name: 'x', plan: 'pro' }), 400, 'validation_error');
    const { tenant } = await createTestTenant();
    expectError(
      await admin.patch(`/v1/tenants/${tenant.id}`, { webhookUrl: 'not a url' }),
      400,
      'validation_error',
    );
    expectError(
      await admin.patch(`/v1/tenants/${tenant.id}`, { stripeCustomerId: 'acct_1' }),
      400,
      'validation_error',
    );
  });

  it('answers 404 for unknown tenants', async () => {
    expectError(await admin.get('/v1/tenants/ten_01JZZZZZZZZZZZZZZZZZZZZZZZ'), 404, 'not_found');
    expectError(
      await admin.patch('/v1/tenants/ten_01JZZZZZZZZZZZZZZZZZZZZZZZ', { name: 'x' }),
      404,
      'not_found',
    );
    expectError(await admin.get('/v1/tenants/nonsense'), 404, 'not_found');
  });

  it('needs the platform admin key: tenant keys, even admin-scoped ones, are refused', async () => {
    const { tenant, apiKey } = await createTestTenant();
    const asTenant = apiClient(platform.apiUrl, apiKey);
    expectError(await asTenant.post('/v1/tenants', { name: 'Sneaky' }), 401, 'unauthorized');
    expectError(await asTenant.get(`/v1/tenants/${tenant.id}`), 401, 'unauthorized');
    expectError(await asTenant.get('/v1/tenants'), 401, 'unauthorized');
    expectError(
      await asTenant.patch(`/v1/tenants/${tenant.id}`, { limits: { requestsPerSecond: 9999 } }),
      401,
      'unauthorized',
    );
    expectError(await admin.get(`/v1/tenants/${tenant.id}`, { key: null }), 401, 'unauthorized');
  });

  it('lists tenants newest first, page by page; bad cursors and limits are 400', async () => {
    const created: string[] = [];
    for (const name of ['List A', 'List B', 'List C']) {
      created.push((await admin.post('/v1/tenants', { name })).body.tenant.id);
    }
    const seen: { id: string; name: string }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
      const page = await admin.get(`/v1/tenants${query}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      for (const item of page.body.items) seen.push(TenantSchema.parse(item));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 50);
    const ids = seen.map((t) => t.id);
    // Every tenant of this test, newest first; ids are ULIDs, so the whole list is sorted.
    expect(ids.filter((id) => created.includes(id))).toEqual([...created].reverse());
    expect(ids).toEqual([...ids].sort().reverse());
    expect(new Set(ids).size).toBe(ids.length);
    expect(pages).toBeGreaterThan(1);

    const first = await admin.get('/v1/tenants?limit=1');
    expect(first.body.items[0].id).toBe(ids[0]);
    expectError(await admin.get('/v1/tenants?cursor=forged'), 400, 'validation_error');
    expectError(await admin.get('/v1/tenants?limit=0'), 400, 'validation_error');
  });
});
