import { createHash, timingSafeEqual } from 'node:crypto';
import { secrets } from '#shared/config/secrets.ts';
import { isKeyUsageStale, touchApiKey } from '#shared/data/api-key-usage.ts';
import { findApiKeyBySecret } from '#shared/data/api-keys.ts';
import type { Db } from '#shared/data/client.ts';
import { consumeRateLimit } from '#shared/data/rate-limit.ts';
import { getSecuritySettings } from '#shared/data/security-settings.ts';
import { getSession } from '#shared/data/sessions.ts';
import { getTenant } from '#shared/data/tenants.ts';
import { getUser } from '#shared/data/users.ts';
import { AppError, ForbiddenError, UnauthorizedError } from '#shared/errors/app-error.ts';
import type { RouteAuth } from '#shared/http/route-types.ts';
import { ACCESS_COOKIE, CSRF_HEADER, readCookies } from '#shared/people/cookies.ts';
import { isAllowed, type Permission, routePermission } from '#shared/people/permissions.ts';
import { InvalidTokenError, looksLikeJwt, verifyAccessToken } from '#shared/people/session-tokens.ts';
import { CsrfError, csrfMatches } from '#shared/people/sessions-flow.ts';
import { keyringFromEnv } from '#shared/people/signing-keys.ts';
import type { AuthContext, HttpRequest } from './http-types.ts';

/** `Authorization: Bearer <key or access token>` or `x-api-key: <key>`. */
export function presentedKey(headers: Record<string, string>): string | undefined {
  const authorization = headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match?.[1];
  }
  return headers['x-api-key']?.trim() || undefined;
}

/** The access token of a session cookie, when the request carries one. */
export function sessionCookie(request: Pick<HttpRequest, 'headers' | 'event'>): string | undefined {
  return readCookies(request.headers.cookie, request.event.cookies)[ACCESS_COOKIE] || undefined;
}

function sameSecret(a: string, b: string): boolean {
  // Compare digests so lengths match and timing reveals nothing about the admin key.
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export class MfaEnrollmentRequiredError extends AppError {
  constructor() {
    super(
      'mfa_enrollment_required',
      'This account requires MFA: enroll a device first (POST /v1/auth/mfa/enroll).',
    );
    this.name = 'MfaEnrollmentRequiredError';
  }
}

/** What a route asks of its caller beyond the auth mode. */
export interface AccessRequirements {
  /** The route class when it is not plain read/write (see shared/people/permissions.ts). */
  permission?: Permission;
  /** Only a signed-in person may call it (their own profile and MFA). */
  userOnly?: boolean;
  /** Reachable by a person who must still enrol in MFA (enrolment itself). */
  allowWithoutMfa?: boolean;
}

/** The one permission check, for keys and people alike. */
function requirePermission(auth: AuthContext, method: string, declared: Permission | undefined): void {
  const needed = routePermission(method, declared);
  const grantee =
    auth.kind === 'user'
      ? { kind: 'user' as const, role: auth.role ?? 'viewer' }
      : { kind: 'apiKey' as const, scopes: auth.scopes };
  if (isAllowed(grantee, needed)) return;
  if (auth.kind === 'user')
    throw new ForbiddenError(`Your role (${auth.role}) may not do this; it needs ${needed} rights.`);
  if (needed === 'admin' || needed === 'owner')
    throw new ForbiddenError('This route needs a key with the admin scope.');
  throw new ForbiddenError('This API key is read-only.');
}

/**
 * A session: the access token (bearer or cookie) verified, then the user, the session family and
 * the tenant's policy read on every request, so that sign-out, removal, a role change or a
 * password reset take effect at once. Cookie requests that change state must echo the CSRF token.
 */
async function authenticateSession(
  db: Db,
  request: HttpRequest,
  token: string,
  via: 'bearer' | 'cookie',
  requirements: AccessRequirements,
): Promise<AuthContext> {
  const nowMs = Date.now();
  const claims = await verifyAccessToken(keyringFromEnv(), token, nowMs);
  const [user, session, tenant, security] = await Promise.all([
    getUser(db, claims.tenantId, claims.userId),
    getSession(db, claims.sessionId, nowMs),
    getTenant(db, claims.tenantId),
    getSecuritySettings(db, claims.tenantId),
  ]);
  if (
    !user ||
    !tenant ||
    !session ||
    session.revoked ||
    session.userId !== user.id ||
    session.createdAtMs < (user.sessionsValidAfterMs ?? 0)
  )
    throw new InvalidTokenError('The session has ended. Sign in again.');
  if (
    via === 'cookie' &&
    !['GET', 'HEAD', 'OPTIONS'].includes(request.method) &&
    !csrfMatches(request.headers[CSRF_HEADER], claims.csrf)
  )
    throw new CsrfError();
  const auth: AuthContext = {
    kind: 'user',
    tenantId: user.tenantId,
    userId: user.id,
    role: user.role,
    email: user.email,
    sessionId: session.id,
    scopes: [],
    via,
    tenantTimeZone: tenant.timezone,
  };
  if (security.mfaRequired && !user.mfaEnabled && !requirements.allowWithoutMfa)
    throw new MfaEnrollmentRequiredError();
  requirePermission(auth, request.method, requirements.permission);
  await Promise.all([
    consumeRateLimit(db, `api:${tenant.id}`, tenant.limits.requestsPerSecond, nowMs),
    consumeRateLimit(db, `user:${user.id}`, tenant.limits.requestsPerSecond, nowMs),
  ]);
  return auth;
}

/**
 * Resolves who is calling. Tenant keys are looked up by hash on every request (no cache), so a
 * deleted key stops working at once; sessions likewise re-read their user and family. Each
 * tenant's requests are rate limited in DynamoDB.
 */
export async function authenticate(
  db: Db,
  request: HttpRequest,
  mode: RouteAuth,
  requirements: AccessRequirements = {},
): Promise<AuthContext | undefined> {
  if (mode === 'none' || mode === 'signature') return undefined;
  const key = presentedKey(request.headers);
  if (mode === 'admin') {
    if (!key) throw new UnauthorizedError();
    const adminKey = await secrets().get('ADMIN_API_KEY');
    if (adminKey && sameSecret(key, adminKey)) return { kind: 'admin', scopes: ['admin'] };
    throw new UnauthorizedError('This route needs the platform admin key.');
  }
  if (key && looksLikeJwt(key)) return authenticateSession(db, request, key, 'bearer', requirements);
  if (!key) {
    const cookie = sessionCookie(request);
    if (cookie) return authenticateSession(db, request, cookie, 'cookie', requirements);
    throw new UnauthorizedError('Sign in, or send an API key.');
  }
  if (requirements.userOnly) throw new ForbiddenError('This route is for signed-in people, not API keys.');
  const found = await findApiKeyBySecret(db, key);
  if (!found) throw new UnauthorizedError('The API key is not valid.');
  const tenant = await getTenant(db, found.tenantId);
  if (!tenant) throw new UnauthorizedError('The API key is not valid.');
  const auth: AuthContext = {
    kind: 'apiKey',
    tenantId: found.tenantId,
    keyId: found.keyId,
    scopes: found.scopes,
    tenantTimeZone: tenant.timezone,
  };
  requirePermission(auth, request.method, requirements.permission);
  // A key with its own cap is checked against it first, and only a request the key may make
  // counts against the tenant's shared window: requests a capped key is refused must not starve
  // the tenant's other keys. An uncapped key needs no window of its own (the tenant's bounds it).
  const nowMs = Date.now();
  if (found.requestsPerSecond !== undefined) {
    await consumeRateLimit(db, `key:${found.keyId}`, found.requestsPerSecond, nowMs);
  }
  await Promise.all([
    consumeRateLimit(db, `api:${tenant.id}`, tenant.limits.requestsPerSecond, nowMs),
    // "Last used" is bookkeeping: it must never fail a request.
    isKeyUsageStale(found.lastUsedAt, nowMs)
      ? touchApiKey(db, { tenantId: found.tenantId, keyId: found.keyId, secret: key }).catch(() => undefined)
      : undefined,
  ]);
  return auth;
}
