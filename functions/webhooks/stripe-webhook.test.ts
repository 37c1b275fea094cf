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

describe('POST /webhooks/stripe with events the platform cannot use', () => {
  const send = (payload: string) =>
    fetch(`${platform.apiUrl}/webhooks/stripe`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': stripeSignatureHeader(
          payload,
          platform.secrets.STRIPE_WEBHOOK_SECRET,
          Math.floor(Date.now() / 1000),
        ),
      },
      body: payload,
    });
  const snapshot = (id: string, type: string, object: unknown) =>
    JSON.stringify({ id, object: 'event', type, created: 1_700_000_000, data: { object } });

  it.each([
    ['data.object null', snapshot('evt_null_obj', 'invoice.paid', null), 'ignored'],
    ['data.object a string', snapshot('evt_str_obj', 'invoice.payment_failed', 'in_123'), 'ignored'],
    ['data.object an array', snapshot('evt_arr_obj', 'invoice.paid', []), 'ignored'],
    [
      'a customer that is not an id',
      snapshot('evt_obj_cus', 'invoice.paid', { id: 'in_1', customer: { id: 5 } }),
      'unknown_customer',
    ],
    [
      'an unknown type with an odd object',
      snapshot('evt_unknown', 'radar.early_fraud_warning.created', 7),
      'ignored',
    ],
    [
      'a v2 thin event (meter error report)',
      JSON.stringify({
        id: 'evt_test_65R9Ijk8fH3MHYB5m2L16S4I0Gz2',
        object: 'v2.core.event',
        type: 'v1.billing.meter.error_report_triggered',
        livemode: false,
        created: '2026-11-30T10:00:00.000Z',
        related_object: { id: 'mtr_123', type: 'billing.meter', url: '/v1/billing/meters/mtr_123' },
        reason: null,
      }),
      'ignored',
    ],
  ])('acknowledges %s with 200 (%s)', async (_name, payload, outcome) => {
    const res = await send(payload);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, outcome });
  });

  it.each([
    ['a JSON array', '[]'],
    ['JSON null', 'null'],
    ['no id', JSON.stringify({ type: 'invoice.paid', created: 1, data: { object: {} } })],
    ['a numeric type', JSON.stringify({ id: 'evt_1', type: 5, created: 1, data: { object: {} } })],
  ])('refuses %s with 400', async (_name, payload) => {
    const res = await send(payload);
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('validation_error');
  });
});
