/** Names and attributes of the session cookies (the console relies on them; see docs/people.md). */
export const ACCESS_COOKIE = 'aic_access';
export const REFRESH_COOKIE = 'aic_refresh';
export const CSRF_COOKIE = 'aic_csrf';
export const CSRF_HEADER = 'x-csrf-token';
export const REFRESH_COOKIE_PATH = '/v1/auth';
export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 3600_000;

const base = 'Secure; SameSite=Strict';

export function sessionCookies(
  tokens: { accessToken: string; refreshToken: string; csrfToken: string },
  accessTtlMs: number,
): string[] {
  const accessAge = Math.floor(accessTtlMs / 1000);
  const refreshAge = Math.floor(REFRESH_TOKEN_TTL_MS / 1000);
  return [
    `${ACCESS_COOKIE}=${tokens.accessToken}; Path=/; HttpOnly; ${base}; Max-Age=${accessAge}`,
    `${REFRESH_COOKIE}=${tokens.refreshToken}; Path=${REFRESH_COOKIE_PATH}; HttpOnly; ${base}; Max-Age=${refreshAge}`,
    // Readable by the page's scripts on purpose: they echo it in X-CSRF-Token.
    `${CSRF_COOKIE}=${tokens.csrfToken}; Path=/; ${base}; Max-Age=${refreshAge}`,
  ];
}

export function clearedSessionCookies(): string[] {
  return [
    `${ACCESS_COOKIE}=; Path=/; HttpOnly; ${base}; Max-Age=0`,
    `${REFRESH_COOKIE}=; Path=${REFRESH_COOKIE_PATH}; HttpOnly; ${base}; Max-Age=0`,
    `${CSRF_COOKIE}=; Path=/; ${base}; Max-Age=0`,
  ];
}

/** Cookie values by name from the `cookie` header or API Gateway's `cookies` array (first wins). */
export function readCookies(
  cookieHeader: string | undefined,
  cookies: readonly string[] = [],
): Record<string, string> {
  const out: Record<string, string> = {};
  const pairs = [...cookies, ...(cookieHeader ? cookieHeader.split(/;\s*/) : [])];
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    const name = pair.slice(0, at).trim();
    if (!(name in out)) out[name] = pair.slice(at + 1).trim();
  }
  return out;
}

/**
 * Whether the request came from a browser (which sends Origin or Sec-Fetch-Site on fetches):
 * browsers get the refresh token only as an HttpOnly cookie, never in the JSON.
 */
export function isBrowserRequest(headers: Record<string, string>): boolean {
  return Boolean(headers.origin || headers['sec-fetch-site']);
}
