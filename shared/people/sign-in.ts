import { recordAuditEvent } from '../data/audit-events.ts';
import { getThrottle, putThrottle, throttleSubject } from '../data/throttles.ts';
import { findUserByEmail, getUser, normalizeEmail, type UserRecord } from '../data/users.ts';
import { AppError, TooManyAttemptsError } from '../errors/app-error.ts';
import { verifySecondFactor } from './mfa.ts';
import { dummyPasswordHash, verifyPassword } from './password.ts';
import type { PeopleDeps, RequestOrigin } from './people-deps.ts';
import { signMfaToken, verifyMfaToken } from './session-tokens.ts';
import { type SessionTokens, startSession } from './sessions-flow.ts';
import {
  ACCOUNT_POLICY,
  ADDRESS_POLICY,
  checkAttempt,
  NO_FAILURES,
  recordFailure,
} from './throttle-policy.ts';

export class InvalidCredentialsError extends AppError {
  constructor() {
    super('invalid_credentials', 'The email or password is wrong.');
    this.name = 'InvalidCredentialsError';
  }
}

export type SignInResult = { kind: 'session'; tokens: SessionTokens } | { kind: 'mfa'; mfaToken: string };

const subjectsOf = (email: string, origin: RequestOrigin) => ({
  account: throttleSubject.account(email),
  address: origin.sourceIp ? throttleSubject.address(origin.sourceIp) : undefined,
});

/** Refuses the attempt while the account or the address is delayed or locked. */
async function assertNotThrottled(
  deps: PeopleDeps,
  subjects: ReturnType<typeof subjectsOf>,
  user: UserRecord | undefined,
  origin: RequestOrigin,
  nowMs: number,
) {
  const [account, address] = await Promise.all([
    getThrottle(deps.db, subjects.account),
    subjects.address ? getThrottle(deps.db, subjects.address) : NO_FAILURES,
  ]);
  const verdicts = [
    checkAttempt(account, nowMs, ACCOUNT_POLICY),
    checkAttempt(address, nowMs, ADDRESS_POLICY),
  ];
  const refused = verdicts.filter((v) => !v.allowed);
  if (refused.length === 0) return { account, address };
  const retryAfterMs = Math.max(...refused.map((v) => (v.allowed ? 0 : v.retryAfterMs)));
  const locked = refused.some((v) => !v.allowed && v.locked);
  if (user) {
    await recordAuditEvent(deps.db, {
      tenantId: user.tenantId,
      action: 'auth.sign_in_throttled',
      actor: { type: 'user', id: user.id, email: user.email },
      outcome: 'failure',
      ...origin,
      details: { locked, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) },
      nowMs,
    });
  }
  throw new TooManyAttemptsError(
    locked
      ? 'Too many failed attempts: sign-in is locked for a while.'
      : 'Too many failed attempts: wait before trying again.',
    retryAfterMs / 1000,
    { details: { locked } },
  );
}

/** Counts a failure against the account and the address; returns whether the account is now locked. */
async function countFailure(
  deps: PeopleDeps,
  subjects: ReturnType<typeof subjectsOf>,
  states: Awaited<ReturnType<typeof assertNotThrottled>>,
  nowMs: number,
) {
  const account = recordFailure(states.account, nowMs, ACCOUNT_POLICY);
  await Promise.all([
    putThrottle(deps.db, subjects.account, account),
    subjects.address
      ? putThrottle(deps.db, subjects.address, recordFailure(states.address, nowMs, ADDRESS_POLICY))
      : undefined,
  ]);
  return account.locked;
}

/**
 * Email and password. Unknown emails cost a password hash too and get the same answer, and are
 * throttled like real accounts, so neither the answer, its timing nor a lock reveals an account.
 */
export async function signIn(
  deps: PeopleDeps,
  input: { email: string; password: string },
  origin: RequestOrigin,
  nowMs: number,
): Promise<SignInResult> {
  const email = normalizeEmail(input.email);
  const subjects = subjectsOf(email, origin);
  const user = await findUserByEmail(deps.db, email);
  const states = await assertNotThrottled(deps, subjects, user, origin, nowMs);
  const matches = await verifyPassword(input.password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (!user || !matches) {
    const locked = await countFailure(deps, subjects, states, nowMs);
    if (user) {
      await recordAuditEvent(deps.db, {
        tenantId: user.tenantId,
        action: 'auth.sign_in_failed',
        actor: { type: 'user', id: user.id, email: user.email },
        outcome: 'failure',
        ...origin,
        details: { reason: 'password', locked },
        nowMs,
      });
    }
    throw new InvalidCredentialsError();
  }
  if (states.account.failures > 0) await putThrottle(deps.db, subjects.account, NO_FAILURES);
  if (user.mfaEnabled) {
    return {
      kind: 'mfa',
      mfaToken: await signMfaToken(
        await deps.keyring.get(),
        { userId: user.id, tenantId: user.tenantId },
        nowMs,
      ),
    };
  }
  const tokens = await startSession(deps, user, nowMs);
  await recordAuditEvent(deps.db, {
    tenantId: user.tenantId,
    action: 'auth.signed_in',
    actor: { type: 'user', id: user.id, email: user.email },
    outcome: 'success',
    ...origin,
    details: { mfa: false },
    nowMs,
  });
  return { kind: 'session', tokens };
}

/** The second step: the MFA token from `signIn` and a TOTP or recovery code (throttled like passwords). */
export async function completeMfaSignIn(
  deps: PeopleDeps,
  input: { mfaToken: string; code: string },
  origin: RequestOrigin,
  nowMs: number,
): Promise<SessionTokens> {
  const claims = await verifyMfaToken(deps.keyring, input.mfaToken, nowMs);
  const user = await getUser(deps.db, claims.tenantId, claims.userId);
  if (!user) throw new InvalidCredentialsError();
  const subjects = subjectsOf(user.email, origin);
  const states = await assertNotThrottled(deps, subjects, user, origin, nowMs);
  let method: 'totp' | 'recovery';
  try {
    method = await verifySecondFactor(deps, user, input.code, nowMs);
  } catch (error) {
    const locked = await countFailure(deps, subjects, states, nowMs);
    await recordAuditEvent(deps.db, {
      tenantId: user.tenantId,
      action: 'auth.sign_in_failed',
      actor: { type: 'user', id: user.id, email: user.email },
      outcome: 'failure',
      ...origin,
      details: { reason: 'mfa_code', locked },
      nowMs,
    });
    throw error;
  }
  if (states.account.failures > 0) await putThrottle(deps.db, subjects.account, NO_FAILURES);
  const tokens = await startSession(deps, user, nowMs);
  await recordAuditEvent(deps.db, {
    tenantId: user.tenantId,
    action: method === 'recovery' ? 'auth.signed_in_with_recovery_code' : 'auth.signed_in',
    actor: { type: 'user', id: user.id, email: user.email },
    outcome: 'success',
    ...origin,
    details: { mfa: true },
    nowMs,
  });
  return tokens;
}
