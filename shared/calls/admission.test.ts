import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestPlatform, type TestPlatform } from '../../test/platform.ts';
import { dbFromEnv } from '../data/client.ts';
import { updateTenant } from '../data/tenants.ts';
import { NotFoundError, RateLimitedError } from '../errors/app-error.ts';
import { admitCall, BillingHoldError } from './admission.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(async () => {
  await platform?.stop();
});

const call = (tenantId: string, agentId: string) => ({
  tenantId,
  agentId,
  direction: 'inbound' as const,
  provider: 'web' as const,
  from: 'browser',
  to: agentId,
});

describe('admitCall: the one admission path', () => {
  it('admits a call for a tenant in good standing', async () => {
    const { tenant, agentId } = await createTestTenant();
    const { call: admitted, created } = await admitCall(dbFromEnv(), call(tenant.id, agentId));
    expect(created).toBe(true);
    expect(admitted).toMatchObject({ tenantId: tenant.id, status: 'queued', provider: 'web' });
  });

  it('refuses an unknown tenant, a tenant on billing hold, and calls beyond the rate limit', async () => {
    const db = dbFromEnv();
    await expect(admitCall(db, call('ten_missing', 'agt_x'))).rejects.toBeInstanceOf(NotFoundError);

    const held = await createTestTenant();
    await updateTenant(db, held.tenant.id, { billingStatus: 'past_due' });
    const hold = await admitCall(db, call(held.tenant.id, held.agentId)).catch((e) => e);
    expect(hold).toBeInstanceOf(BillingHoldError);
    expect(hold.code).toBe('forbidden');

    const limited = await createTestTenant({ maxConcurrentCalls: 100, requestsPerSecond: 2 });
    const now = new Date(Date.UTC(2026, 5, 1, 12, 0, 0, 100));
    await admitCall(db, call(limited.tenant.id, limited.agentId), { now });
    await admitCall(db, call(limited.tenant.id, limited.agentId), { now });
    const third = await admitCall(db, call(limited.tenant.id, limited.agentId), { now }).catch((e) => e);
    expect(third).toBeInstanceOf(RateLimitedError);
    expect(third.retryAfterSeconds).toBe(1);
  });
});
