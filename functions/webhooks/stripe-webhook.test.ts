import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripeSignatureHeader } from '#shared/billing/stripe-signature.ts';
import { admitCall, BillingHoldError } from '#shared/calls/admission.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { getTenant, updateTenant } from '#shared/data/tenants.ts';
import {
  createTestTenant,
  startTestPlatform,
  type TestPlatform,
  type TestTenant,
} from '../../test/platform.ts';

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform();
}, 60_000);
afterAll(async () => {
  await platform?.stop();
});

describe('POST /webhooks/stripe', () => {
  let owner: TestTenant;
  const customer = `cus_${Date.now()}`;
  const post = (body: string, signature: string | undefined) =>
    fetch(`${platform.apiUrl}/webhooks/stripe`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(signature ? { 'stripe-signature': signature } : {}),
      },
      body,
    });
  const event = (id: string, type: string, created: number) =>
    JSON.stringify({
      id,
      object: 'event',
      type,
      created,
      data: { object: { id: `in_${id}`, object: 'invoice', customer } },
    });
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    owner = await createTestTenant();
    await updateTenant(dbFromEnv(), owner.tenant.id, { stripeCustomerId: customer });
  });

  it('rejects a bad signature with 400 and changes nothing', async () => {
    const body = event('evt_bad', 'invoice.payment_failed', now());
    const cases = [
      undefined,
      stripeSignatureHeader(body, 'whsec_wrong', now()),
      stripeSignatureHeader(body, platform.secrets.STRIPE_WEBHOOK_SECRET, now() - 301),
      stripeSignatureHeader(`${body} `, platform.secrets.STRIPE_WEBHOOK_SECRET, now()),
    ];
    for (const signature of cases) {
      const res = await post(body, signature);
      expect(res.status).toBe(400);
      expect((await res.json()).error.code).toBe('validation_error');
    }
    expect((await getTenant(dbFromEnv(), owner.tenant.id))?.billingStatus).toBe('active');
  });

  it('marks the tenant past_due on a failed payment (calls refused), once per event, active again when paid', async () => {
    const secret = platform.secrets.STRIPE_WEBHOOK_SECRET;
    const failed = event('evt_fail_1', 'invoice.payment_failed', now() - 60);
    const res = await post(failed, stripeSignatureHeader(failed, secret, now()));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, outcome: 'applied' });
    const tenant = await getTenant(dbFromEnv(), owner.tenant.id);
    expect(tenant?.billingStatus).toBe('past_due');
    const newCall = {
      tenantId: owner.tenant.id,
      agentId: owner.agentId,
      direction: 'outbound' as const,
      provider: 'web' as const,
      from: '+14155550100',
      to: '+14155550101',
    };
    await expect(admitCall(dbFromEnv(), newCall)).rejects.toBeInstanceOf(BillingHoldError);

    const again = await post(failed, stripeSignatureHeader(failed, secret, now()));
    expect(await again.json()).toEqual({ received: true, outcome: 'duplicate' });

    // An older event arriving late does not undo the newer one.
    const stale = event('evt_paid_old', 'invoice.paid', now() - 3600);
    expect(await (await post(stale, stripeSignatureHeader(stale, secret, now()))).json()).toMatchObject({
      outcome: 'stale',
    });
    expect((await getTenant(dbFromEnv(), owner.tenant.id))?.billingStatus).toBe('past_due');

    const paid = event('evt_paid_1', 'invoice.paid', now());
    expect(await (await post(paid, stripeSignatureHeader(paid, secret, now()))).json()).toMatchObject({
      outcome: 'applied',
    });
    expect((await getTenant(dbFromEnv(), owner.tenant.id))?.billingStatus).toBe('active');
    const { created } = await admitCall(dbFromEnv(), newCall);
    expect(created).toBe(true);
  });

  it('acknowledges events it does not act on', async () => {
    const other = JSON.stringify({
      id: 'evt_other',
      type: 'customer.created',
      created: now(),
      data: { object: { id: 'cus_x' } },
    });
    const res = await post(
      other,
      stripeSignatureHeader(other, platform.secrets.STRIPE_WEBHOOK_SECRET, now()),
    );
    expect(await res.json()).toEqual({ received: true, outcome: 'ignored' });
  });
});
