import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestTenant, startTestPlatform, type TestPlatform } from '../../test/platform.ts';
import {
  type ApiClient,
  type ApiResponse,
  apiClient,
  expectError,
} from '../../test/functions/api-test-client.ts';
import {
  inviteAndAccept,
  STRONG_PASSWORD,
  type SignedInUser,
  uniqueEmail,
} from '../../test/functions/people-test-kit.ts';

/**
 * Brute force against one account, with the clock moved instead of waited for: only Date is faked
 * (the handlers run in this process behind the real gateway), timers and sockets stay real.
 */
let platform: TestPlatform;
let anonymous: ApiClient;
let keyApi: ApiClient;
let user: SignedInUser;

beforeAll(async () => {
  platform = await startTestPlatform();
  const tenant = await createTestTenant();
  keyApi = apiClient(platform.apiUrl, tenant.apiKey);
  anonymous = apiClient(platform.apiUrl);
  user = await inviteAndAccept(platform.apiUrl, keyApi, 'member');
});
afterEach(() => {
  vi.useRealTimers();
});
afterAll(async () => {
  await platform?.stop();
});

const retryAfter = (res: ApiResponse) => Number(res.headers.get('retry-after'));

/** Fails until refused, then waits out the delay; returns the delays seen, up to the lock. */
async function attackUntilLocked(email: string) {
  const delays: number[] = [];
  for (let attempt = 0; attempt < 30; attempt++) {
    const res = await anonymous.post('/v1/auth/sign-in', { email, password: 'not-the-password-1' });
    if (res.status === 401) {
      expectError(res, 401, 'invalid_credentials');
      continue;
    }
    expectError(res, 429, 'too_many_attempts');
    if (res.body.error.details.locked) return { delays, lock: res };
    delays.push(retryAfter(res));
    vi.setSystemTime(Date.now() + retryAfter(res) * 1000);
  }
  throw new Error('never locked');
}

describe('sign-in throttling', () => {
  it('delays grow, then the account locks; the lock lifts by itself', { timeout: 120_000 }, async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const { delays, lock } = await attackUntilLocked(user.email);
    expect(delays).toEqual([1, 2, 4, 8, 16, 30]);
    expect(retryAfter(lock)).toBe(900);
    // The right password does not get through a lock either.
    expectError(
      await anonymous.post('/v1/auth/sign-in', { email: user.email, password: STRONG_PASSWORD }),
      429,
      'too_many_attempts',
    );
    vi.setSystemTime(Date.now() + 899_000);
    expectError(
      await anonymous.post('/v1/auth/sign-in', { email: user.email, password: STRONG_PASSWORD }),
      429,
      'too_many_attempts',
    );
    vi.setSystemTime(Date.now() + 1_000);
    const signedIn = await anonymous.post('/v1/auth/sign-in', {
      email: user.email,
      password: STRONG_PASSWORD,
    });
    expect(signedIn.status).toBe(200);

    const events = (await keyApi.get('/v1/audit-events?limit=100')).body.items as {
      action: string;
      details?: { locked?: boolean };
    }[];
    expect(events.filter((e) => e.action === 'auth.sign_in_failed').length).toBeGreaterThanOrEqual(10);
    expect(events.some((e) => e.action === 'auth.sign_in_failed' && e.details?.locked === true)).toBe(true);
    expect(events.some((e) => e.action === 'auth.sign_in_throttled')).toBe(true);
    expect(events[0]?.action).toBe('auth.signed_in');
  });

  it('an unknown email is throttled exactly like a real one (nothing to enumerate)', {
    timeout: 120_000,
  }, async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 3 * 3600_000 });
    const { delays, lock } = await attackUntilLocked(uniqueEmail('ghost'));
    expect(delays).toEqual([1, 2, 4, 8, 16, 30]);
    expect(retryAfter(lock)).toBe(900);
  });
});
