import {
  clearedSessionCookies,
  isBrowserRequest,
  REFRESH_COOKIE,
  readCookies,
  sessionCookies,
} from '#shared/people/cookies.ts';
import { ACCESS_TOKEN_TTL_MS } from '#shared/people/session-tokens.ts';
import type { SessionTokens } from '#shared/people/sessions-flow.ts';
import { InternalError } from '#shared/errors/app-error.ts';
import type { HttpRequest, HttpResult } from './http-types.ts';

/**
 * A new or refreshed session: the JSON for programs and the three cookies for browsers. The
 * refresh token goes into the JSON only when the caller is not a browser, so page scripts never
 * see it.
 */
export function sessionResult(request: HttpRequest, tokens: SessionTokens, status = 200): HttpResult {
  const { refreshToken, ...rest } = tokens;
  return {
    status,
    headers: { 'cache-control': 'no-store' },
    body: isBrowserRequest(request.headers) ? rest : { ...rest, refreshToken },
    cookies: sessionCookies(tokens, ACCESS_TOKEN_TTL_MS),
  };
}

export function signedOutResult(): HttpResult {
  return { status: 204, headers: { 'cache-control': 'no-store' }, cookies: clearedSessionCookies() };
}

/** The refresh token of a request: the body's (programs) or the cookie's (browsers, CSRF-checked). */
export function presentedRefreshToken(
  request: HttpRequest,
  bodyToken: string | undefined,
): { token: string; viaCookie: boolean } | undefined {
  if (bodyToken) return { token: bodyToken, viaCookie: false };
  const cookie = readCookies(request.headers.cookie, request.event.cookies)[REFRESH_COOKIE];
  return cookie ? { token: cookie, viaCookie: true } : undefined;
}

/** The signed-in person of a user-only route. */
export function userOf(request: HttpRequest): { tenantId: string; userId: string; sessionId: string } {
  const auth = request.auth;
  if (auth?.kind !== 'user' || !auth.tenantId || !auth.userId || !auth.sessionId)
    throw new InternalError('A user route ran without a user.');
  return { tenantId: auth.tenantId, userId: auth.userId, sessionId: auth.sessionId };
}
