import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeStripe, startFakeStripe } from '../../fakes/stripe/server.ts';
import { sendMeterEvent } from './stripe-meter-client.ts';

let stripe: FakeStripe;
beforeAll(async () => {
  stripe = await startFakeStripe();
});
afterAll(async () => {
  await stripe?.close();
});

describe('sendMeterEvent', () => {
  it('pins the Stripe API version and uses the identifier as the Idempotency-Key (a retry is one event)', async () => {
    const config = { apiKey: stripe.apiKey, baseUrl: stripe.url };
    const event = {
      eventName: 'ai_caller_call_seconds',
      stripeCustomerId: 'cus_pin',
      value: 66,
      identifier: 'call_01PINNED',
      timestamp: Math.floor(Date.now() / 1000),
    };
    await sendMeterEvent(config, event);
    await sendMeterEvent(config, event);
    const sent = stripe.requests.filter((r) => r.params.get('identifier') === event.identifier);
    expect(sent.map((r) => [r.stripeVersion, r.idempotencyKey, r.status])).toEqual([
      ['2025-03-31.basil', 'call_01PINNED', 200],
      ['2025-03-31.basil', 'call_01PINNED', 200],
    ]);
    expect(stripe.events.filter((e) => e.identifier === event.identifier)).toHaveLength(1);
  });
});
