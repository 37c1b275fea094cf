import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret } from './secret-store.ts';
import {
  deliveryOutcome,
  exponentialDelaySeconds,
  retryDelaySeconds,
  DEFAULT_WEBHOOK_RETRY_SCHEDULE,
} from './retry-schedule.ts';
import { generateWebhookSecret, signPayload, verifyWebhook, webhookHeaders } from './signing.ts';

describe('Standard Webhooks signing', () => {
  it('reproduces the published test vector', () => {
    expect(
      signPayload(
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        'msg_p5jXN8AQM9LWM0D4loKWxJek',
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  const secret = generateWebhookSecret();
  const previous = generateWebhookSecret();
  const body = '{"type":"call.ended"}';
  const now = 1_800_000_000;

  it('signs with every given secret so receivers on either one verify during a rotation', () => {
    const headers = webhookHeaders([secret, previous], 'evt_1', now, body);
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(verifyWebhook(secret, headers, body, { nowSeconds: now })).toEqual({ ok: true });
    expect(verifyWebhook(previous, headers, body, { nowSeconds: now })).toEqual({ ok: true });
  });

  const headers = webhookHeaders([secret], 'evt_1', now, body);
  it.each([
    ['another secret', generateWebhookSecret(), headers, body, now, 'mismatch'],
    ['a changed body', secret, headers, `${body} `, now, 'mismatch'],
    ['a changed id', secret, { ...headers, 'webhook-id': 'evt_2' }, body, now, 'mismatch'],
    ['a stale timestamp', secret, headers, body, now + 301, 'too_old'],
    ['a future timestamp', secret, headers, body, now - 301, 'too_new'],
    ['missing headers', secret, { 'webhook-id': 'evt_1' }, body, now, 'missing_headers'],
  ])('rejects %s', (_name, key, given, raw, at, problem) => {
    expect(verifyWebhook(key, given, raw, { nowSeconds: at })).toEqual({ ok: false, problem });
  });
});

describe('secret sealing', () => {
  it('round-trips and fails with another master key', () => {
    const sealed = encryptSecret('whsec_abc', 'master-1');
    expect(sealed).not.toContain('whsec_abc');
    expect(decryptSecret(sealed, 'master-1')).toBe('whsec_abc');
    expect(() => decryptSecret(sealed, 'master-2')).toThrow();
  });
});

describe('retry schedules', () => {
  it('spreads the webhook attempts over about a day within the receive budget', () => {
    const total = DEFAULT_WEBHOOK_RETRY_SCHEDULE.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(24 * 3600);
    expect(DEFAULT_WEBHOOK_RETRY_SCHEDULE.length).toBe(19);
  });

  it.each([
    [1, [5, 30], 5],
    [2, [5, 30], 30],
    [9, [5, 30], 30],
    [0, [5, 30], 5],
    [3, [], 0],
    [1, [90_000], 43_200],
  ])('attempt %i of %j waits %i s', (attempt, schedule, expected) => {
    expect(retryDelaySeconds(attempt, schedule)).toBe(expected);
  });

  it.each([
    [1, 30, 30],
    [2, 30, 60],
    [4, 30, 240],
    [10, 30, 900],
    [3, 0, 0],
  ])('summary attempt %i with base %i waits %i s', (attempt, base, expected) => {
    expect(exponentialDelaySeconds(attempt, base)).toBe(expected);
  });

  it.each([
    [200, 'delivered'],
    [204, 'delivered'],
    [301, 'retry'],
    [410, 'gone'],
    [429, 'retry'],
    [500, 'retry'],
  ] as const)('HTTP %i is %s', (status, outcome) => expect(deliveryOutcome(status)).toBe(outcome));
});
