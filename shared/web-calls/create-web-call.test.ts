import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyStreamToken } from '../calls/stream-token.ts';
import { createCall, getCall } from '../data/calls.ts';
import { dbFromEnv } from '../data/client.ts';
import { createTestTenant, startTestPlatform, type TestPlatform } from '../../test/platform.ts';
import { NOT_JOINED_GRACE_MS } from './cancel-unjoined-web-calls.ts';
import { createWebCall } from './create-web-call.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(async () => {
  await platform?.stop();
});

const options = (now: Date) => ({
  signingKey: platform.secrets.INTERNAL_SIGNING_KEY,
  publicMediaUrl: 'http://127.0.0.1:8080',
  now,
});

describe('createWebCall', () => {
  it('cancels links nobody opened once their token expired, releasing the slot', async () => {
    const db = dbFromEnv();
    const { tenant, agentId } = await createTestTenant({ maxConcurrentCalls: 1, requestsPerSecond: 1000 });
    const t0 = new Date();
    const first = await createWebCall(db, { tenantId: tenant.id, agentId, ttlSeconds: 30 }, options(t0));
    expect(first.canceledUnjoined).toEqual([]);

    // Expired, but still inside the grace a connecting browser gets: the slot stays taken.
    const inGrace = new Date(t0.getTime() + 30_000 + NOT_JOINED_GRACE_MS - 1_000);
    await expect(createWebCall(db, { tenantId: tenant.id, agentId }, options(inGrace))).rejects.toMatchObject(
      {
        code: 'rate_limited',
      },
    );

    const later = new Date(t0.getTime() + 30_000 + NOT_JOINED_GRACE_MS + 1_000);
    const second = await createWebCall(db, { tenantId: tenant.id, agentId }, options(later));
    expect(second.canceledUnjoined.map((c) => c.id)).toEqual([first.call.id]);
    expect(await getCall(db, tenant.id, first.call.id)).toMatchObject({
      status: 'canceled',
      endReason: 'not_joined',
      durationSeconds: 0,
    });
    expect(
      verifyStreamToken(second.token, platform.secrets.INTERNAL_SIGNING_KEY, later.getTime()).callId,
    ).toBe(second.call.id);
  });

  it('leaves queued calls of other transports alone', async () => {
    const db = dbFromEnv();
    const { tenant, agentId } = await createTestTenant();
    const t0 = new Date(Date.now() - 3_600_000);
    const { call: phoneCall } = await createCall(
      db,
      {
        tenantId: tenant.id,
        agentId,
        direction: 'outbound',
        provider: 'twilio',
        from: '+15005550006',
        to: '+15005550001',
      },
      { maxConcurrentCalls: 5, now: t0 },
    );
    const result = await createWebCall(db, { tenantId: tenant.id, agentId }, options(new Date()));
    expect(result.canceledUnjoined).toEqual([]);
    expect((await getCall(db, tenant.id, phoneCall.id))?.status).toBe('queued');
  });
});
