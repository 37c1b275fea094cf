import { timingSafeEqual } from 'node:crypto';
import { recordAuditEvent } from '../data/audit-events.ts';
import { createSession, revokeSession, rotateRefreshToken } from '../data/sessions.ts';
import { getUser, patchUser, type UserRecord } from '../data/users.ts';
import { AppError } from '../errors/app-error.ts';
import type { PeopleDeps, RequestOrigin } from './people-deps.ts';
import { InvalidTokenError, signAccessToken } from './session-tokens.ts';
import { presentUser, type PublicUser } from './user-presenter.ts';

export interface SessionTokens {
  user: PublicUser;
  accessToken: string;
  expiresAt: string;
  refreshToken: string;
  csrfToken: string;
}

export class RefreshTokenReusedError extends AppError {
  constructor() {
    super(
      'refresh_token_reused',
      'This refresh token was already used: the session is revoked. Sign in again.',
    );
    this.name = 'RefreshTokenReusedError';
  }
}

export class CsrfError extends AppError {
  constructor() {
    super('csrf_failed', 'Send the X-CSRF-Token header with the value of the aic_csrf cookie.');
    this.name = 'CsrfError';
  }
}

/** Equal-length, constant-time comparison of a presented CSRF token with the session's. */
export function csrfMatches(presented: string | undefined, expected: string): boolean {
  if (!presented) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A new session family for a user who just proved who they are. */
export async function startSession(
  deps: PeopleDeps,
  user: UserRecord,
  nowMs: number,
): Promise<SessionTokens> {
  const { session, refreshToken } = await createSession(deps.db, {
    tenantId: user.tenantId,
    userId: user.id,
    nowMs,
  });
  const keyring = await deps.keyring.get();
  const access = await signAccessToken(
    keyring,
    { userId: user.id, tenantId: user.tenantId, sessionId: session.id, csrf: session.csrf },
    nowMs,
  );
  const signedInAt = new Date(nowMs).toISOString();
  await patchUser(deps.db, user, { lastSignInAt: signedInAt });
  return {
    user: presentUser({ ...user, lastSignInAt: signedInAt }),
    accessToken: access.token,
    expiresAt: access.expiresAt,
    refreshToken,
    csrfToken: session.csrf,
  };
}

/**
 * Rotates a refresh token. A reused token revokes its family (and says so in the audit log); a
 * cookie-borne token must come with the session's CSRF token.
 */
export async function refreshSession(
  deps: PeopleDeps,
  input: { refreshToken: string; csrf?: { presented: string | undefined } },
  origin: RequestOrigin,
  nowMs: number,
): Promise<SessionTokens> {
  const rotation = await rotateRefreshToken(deps.db, input.refreshToken, nowMs);
  if (rotation.outcome === 'invalid')
    throw new InvalidTokenError('The refresh token is not valid or has expired.');
  const { session } = rotation;
  if (rotation.outcome === 'reused') {
    await recordAuditEvent(deps.db, {
      tenantId: session.tenantId,
      action: 'auth.refresh_token_reused',
      actor: { type: 'user', id: session.userId },
      target: { type: 'session', id: session.id },
      outcome: 'failure',
      ...origin,
      details: { revoked: true },
      nowMs,
    });
    throw new RefreshTokenReusedError();
  }
  if (input.csrf && !csrfMatches(input.csrf.presented, session.csrf)) {
    // The rotation already happened; revoke rather than leave a session the caller never received.
    await revokeSession(deps.db, session.id, 'sign_out');
    throw new CsrfError();
  }
  const user = await getUser(deps.db, session.tenantId, session.userId);
  if (!user || session.createdAtMs < (user.sessionsValidAfterMs ?? 0)) {
    await revokeSession(deps.db, session.id, 'password_reset');
    throw new InvalidTokenError('The session has ended. Sign in again.');
  }
  const keyring = await deps.keyring.get();
  const access = await signAccessToken(
    keyring,
    { userId: user.id, tenantId: user.tenantId, sessionId: session.id, csrf: session.csrf },
    nowMs,
  );
  return {
    user: presentUser(user),
    accessToken: access.token,
    expiresAt: access.expiresAt,
    refreshToken: rotation.refreshToken,
    csrfToken: session.csrf,
  };
}
