import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyStreamToken } from '#shared/calls/stream-token.ts';
import { getCall } from '#shared/data/calls.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { updateTenant } from '#shared/data/tenants.ts';
import {
  createTestTenant,
  startTestPlatform,
  type TestPlatform,
  type TestTenant,
} from '../../test/platform.ts';

const PUBLIC_MEDIA_URL = 'https://media.example.test';
let platform: TestPlatform;
let owner: TestTenant;

beforeAll(async () => {
  platform = await startTestPlatform({ env: { PUBLIC_MEDIA_URL } });
  owner = await createTestTenant();
});
afterAll(async () => {
  await platform?.stop();
});

function post(apiKey: string | undefined, body: unknown) {
  return fetch(`${platform.apiUrl}/v1/web-calls`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    body: JSON.stringify(body),
  });
}

describe('POST /v1/web-calls', () => {
  it('admits a queued web call and returns a single-use link to it', async () => {
    const before = Date.now();
    const res = await post(owner.apiKey, { agentId: owner.agentId, metadata: { visitor: 'v-42' } });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(Object.keys(body).sort()).toEqual(['callId', 'expiresAt', 'token', 'url', 'websocketUrl']);

    const claims = verifyStreamToken(body.token, platform.secrets.INTERNAL_SIGNING_KEY);
    expect(claims).toMatchObject({
      callId: body.callId,
      tenantId: owner.tenant.id,
      agentId: owner.agentId,
      provider: 'web',
    });
    const ttlMs = Date.parse(body.expiresAt) - before;
    expect(ttlMs).toBeGreaterThan(290_000);
    expect(ttlMs).toBeLessThanOrEqual(301_000);
    expect(claims.exp * 1000).toBe(Date.parse(body.expiresAt));
    expect(body.url).toBe(`${PUBLIC_MEDIA_URL}/call?token=${encodeURIComponent(body.token)}`);
    expect(body.websocketUrl).toBe(`wss://media.example.test/web?token=${encodeURIComponent(body.token)}`);

    const call = await getCall(dbFromEnv(), owner.tenant.id, body.callId);
    expect(call).toMatchObject({
      status: 'queued',
      provider: 'web',
      direction: 'inbound',
      agentId: owner.agentId,
      metadata: { visitor: 'v-42' },
      media: { transport: 'web', tokenExpiresAt: body.expiresAt },
    });
  });

  it('honours a shorter link lifetime', async () => {
    const res = await post(owner.apiKey, { agentId: owner.agentId, expiresInSeconds: 60 });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(Date.parse(body.expiresAt) - Date.now()).toBeLessThanOrEqual(60_000);
  });

  it('answers 404 for an unknown agent and for another tenant’s agent alike', async () => {
    const other = await createTestTenant();
    const missing = await post(owner.apiKey, { agentId: 'agt_01J0000000000000000000000' });
    const foreign = await post(owner.apiKey, { agentId: other.agentId });
    for (const res of [missing, foreign]) {
      expect(res.status).toBe(404);
      const body = await res.json();
      expect(body.error.code).toBe('not_found');
      expect(body.error.message).toBe('Agent not found.');
    }
  });

  it('refuses a call over the tenant’s concurrency cap with 429', async () => {
    const small = await createTestTenant({ maxConcurrentCalls: 1, requestsPerSecond: 1000 });
    expect((await post(small.apiKey, { agentId: small.agentId })).status).toBe(201);
    const refused = await post(small.apiKey, { agentId: small.agentId });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeTruthy();
    expect((await refused.json()).error).toMatchObject({
      code: 'rate_limited',
      details: { reason: 'concurrent_calls', limit: 1 },
    });
  });

  it('refuses a tenant on billing hold with 403', async () => {
    const held = await createTestTenant();
    await updateTenant(dbFromEnv(), held.tenant.id, { billingStatus: 'past_due' });
    const res = await post(held.apiKey, { agentId: held.agentId });
    expect(res.status).toBe(403);
    expect((await res.json()).error).toMatchObject({ code: 'forbidden', details: { reason: 'past_due' } });
  });

  it('rejects bad input with 400 and no key with 401', async () => {
    const cases: unknown[] = [
      {},
      { agentId: owner.agentId, metadata: { n: 1 } },
      { agentId: owner.agentId, expiresInSeconds: 5 },
      { agentId: owner.agentId, extra: true },
    ];
    for (const body of cases) {
      const res = await post(owner.apiKey, body);
      expect(res.status).toBe(400);
      expect((await res.json()).error.code).toBe('validation_error');
    }
    expect((await post(undefined, { agentId: owner.agentId })).status).toBe(401);
  });
});
