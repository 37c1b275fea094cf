import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { billingStatusAfter } from './stripe-billing-events.ts';
import { stripeSignatureHeader, verifyStripeSignature } from './stripe-signature.ts';

const secret = 'whsec_test_secret';
const body = '{"id":"evt_1","type":"invoice.paid"}';
const t = 1_700_000_000;
const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');

describe('verifyStripeSignature', () => {
  const cases: [string, string | undefined, string, number, ReturnType<typeof verifyStripeSignature>][] = [
    ['valid', `t=${t},v1=${v1}`, body, t + 10, { ok: true, timestamp: t }],
    [
      'valid among several v1 (secret rolling)',
      `t=${t},v1=${'0'.repeat(64)},v1=${v1},v0=abc`,
      body,
      t,
      { ok: true, timestamp: t },
    ],
    ['missing header', undefined, body, t, { ok: false, problem: 'missing' }],
    ['no timestamp', `v1=${v1}`, body, t, { ok: false, problem: 'malformed' }],
    ['no v1', `t=${t},v0=${v1}`, body, t, { ok: false, problem: 'malformed' }],
    ['body changed', `t=${t},v1=${v1}`, `${body} `, t, { ok: false, problem: 'mismatch' }],
    ['timestamp changed', `t=${t + 1},v1=${v1}`, body, t, { ok: false, problem: 'mismatch' }],
    ['older than 5 minutes', `t=${t},v1=${v1}`, body, t + 301, { ok: false, problem: 'too_old' }],
    ['exactly 5 minutes', `t=${t},v1=${v1}`, body, t + 300, { ok: true, timestamp: t }],
  ];
  for (const [name, header, raw, now, expected] of cases) {
    it(name, () => expect(verifyStripeSignature(header, raw, secret, { nowSeconds: now })).toEqual(expected));
  }

  it('builds headers it accepts', () => {
    expect(stripeSignatureHeader(body, secret, t)).toBe(`t=${t},v1=${v1}`);
  });
});

describe('billingStatusAfter', () => {
  it.each([
    ['invoice.payment_failed', 'past_due'],
    ['invoice.marked_uncollectible', 'past_due'],
    ['invoice.paid', 'active'],
    ['invoice.payment_succeeded', 'active'],
    ['customer.created', undefined],
  ])('%s → %s', (type, status) => expect(billingStatusAfter(type)).toBe(status));
});
