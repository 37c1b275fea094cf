/**
 * Sign-in throttling as pure state transitions, applied per account (the email, known or not)
 * and per source address. A few failures are free; after that each failure makes the next attempt
 * wait longer (doubling, capped), and at a threshold the subject is locked for a fixed time.
 * Nothing is ever permanent: a lock lifts by itself, and a quiet hour forgets every failure, so an
 * attacker can delay a victim's sign-in but never shut them out for good.
 */
export interface ThrottlePolicy {
  /** Failures before any delay. */
  freeFailures: number;
  /** Delay after the first counted failure; doubles per further failure. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Failures that trigger a lock. */
  lockAfterFailures: number;
  lockMs: number;
  /** Failures older than this (since the last one) are forgotten. */
  forgetAfterMs: number;
}

export const ACCOUNT_POLICY: ThrottlePolicy = {
  freeFailures: 3,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  lockAfterFailures: 10,
  lockMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
};

/** Addresses see many users (offices, NAT), so they get more room before delays start. */
export const ADDRESS_POLICY: ThrottlePolicy = {
  freeFailures: 20,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  lockAfterFailures: 100,
  lockMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
};

export interface ThrottleState {
  failures: number;
  lastFailureMs: number;
  /** No attempt is evaluated before this instant (delay or lock). */
  blockedUntilMs: number;
  locked: boolean;
}

export const NO_FAILURES: ThrottleState = { failures: 0, lastFailureMs: 0, blockedUntilMs: 0, locked: false };

/** The state as it stands at `nowMs`: forgotten after a quiet period; a lifted lock leaves a short fuse. */
export function currentState(state: ThrottleState, nowMs: number, policy: ThrottlePolicy): ThrottleState {
  if (state.failures > 0 && nowMs - state.lastFailureMs >= policy.forgetAfterMs) return NO_FAILURES;
  if (state.locked && nowMs >= state.blockedUntilMs) {
    // After a lock, a few more failures lock again (not the full count), but never longer.
    return { ...state, failures: policy.lockAfterFailures - 3, locked: false };
  }
  return state;
}

/** Whether an attempt may be evaluated now; if not, how long to wait. */
export function checkAttempt(
  state: ThrottleState,
  nowMs: number,
  policy: ThrottlePolicy,
): { allowed: true } | { allowed: false; retryAfterMs: number; locked: boolean } {
  const current = currentState(state, nowMs, policy);
  if (nowMs < current.blockedUntilMs)
    return { allowed: false, retryAfterMs: current.blockedUntilMs - nowMs, locked: current.locked };
  return { allowed: true };
}

/** The delay imposed after the n-th failure (0 within the free failures). */
export function delayAfter(failures: number, policy: ThrottlePolicy): number {
  if (failures <= policy.freeFailures) return 0;
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failures - policy.freeFailures - 1));
}

export function recordFailure(state: ThrottleState, nowMs: number, policy: ThrottlePolicy): ThrottleState {
  const current = currentState(state, nowMs, policy);
  const failures = current.failures + 1;
  if (failures >= policy.lockAfterFailures) {
    return { failures, lastFailureMs: nowMs, blockedUntilMs: nowMs + policy.lockMs, locked: true };
  }
  return {
    failures,
    lastFailureMs: nowMs,
    blockedUntilMs: nowMs + delayAfter(failures, policy),
    locked: false,
  };
}
