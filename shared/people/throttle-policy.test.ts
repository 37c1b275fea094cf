import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_POLICY,
  checkAttempt,
  delayAfter,
  NO_FAILURES,
  recordFailure,
  type ThrottleState,
} from './throttle-policy.ts';

const fail = (times: number, startMs = 0, stepMs = 0): ThrottleState => {
  let state = NO_FAILURES;
  for (let i = 0; i < times; i++) state = recordFailure(state, startMs + i * stepMs, ACCOUNT_POLICY);
  return state;
};

describe('sign-in throttling', () => {
  it.each([
    [1, 0],
    [3, 0],
    [4, 1_000],
    [5, 2_000],
    [6, 4_000],
    [8, 16_000],
    [9, 30_000],
  ])('after %i failures the next attempt waits %i ms', (failures, delay) => {
    expect(delayAfter(failures, ACCOUNT_POLICY)).toBe(delay);
  });

  it('refuses attempts during a delay and allows them after', () => {
    const state = fail(5);
    expect(checkAttempt(state, 1_999, ACCOUNT_POLICY)).toEqual({
      allowed: false,
      retryAfterMs: 1,
      locked: false,
    });
    expect(checkAttempt(state, 2_000, ACCOUNT_POLICY)).toEqual({ allowed: true });
  });

  it('locks at the threshold, and the lock lifts by itself', () => {
    const state = fail(10);
    expect(state.locked).toBe(true);
    expect(checkAttempt(state, ACCOUNT_POLICY.lockMs - 1, ACCOUNT_POLICY)).toMatchObject({
      allowed: false,
      locked: true,
    });
    expect(checkAttempt(state, ACCOUNT_POLICY.lockMs, ACCOUNT_POLICY)).toEqual({ allowed: true });
  });

  it('after a lock, three more failures lock again for the same time, never longer', () => {
    let state = fail(10);
    const t = ACCOUNT_POLICY.lockMs;
    state = recordFailure(state, t, ACCOUNT_POLICY);
    state = recordFailure(state, t + 60_000, ACCOUNT_POLICY);
    expect(state.locked).toBe(false);
    state = recordFailure(state, t + 120_000, ACCOUNT_POLICY);
    expect(state).toMatchObject({ locked: true, blockedUntilMs: t + 120_000 + ACCOUNT_POLICY.lockMs });
  });

  it('forgets failures after a quiet hour', () => {
    const state = fail(9);
    const later = recordFailure(state, 9 * 0 + ACCOUNT_POLICY.forgetAfterMs, ACCOUNT_POLICY);
    expect(later).toMatchObject({ failures: 1, locked: false, blockedUntilMs: ACCOUNT_POLICY.forgetAfterMs });
  });
});
