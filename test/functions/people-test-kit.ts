import { expect } from 'vitest';
import { totpCode } from '#shared/people/totp.ts';
import { type ApiClient, type Json, apiClient } from './api-test-client.ts';

/** Test-only helpers for the people routes: invitations, sign-in, a cookie jar. */
export const STRONG_PASSWORD = 'plum-harbor-violet-42';

let counter = 0;
export const uniqueEmail = (label: string) => `${label}.${Date.now().toString(36)}.${++counter}@example.com`;

export interface SignedInUser {
  id: string;
  email: string;
  accessToken: string;
  refreshToken: string;
  api: ApiClient;
}

/** Invites with `inviter` (an admin key or owner session), accepts, and returns the new user's session. */
export async function inviteAndAccept(
  apiUrl: string,
  inviter: ApiClient,
  role: string,
  email = uniqueEmail(role),
): Promise<SignedInUser> {
  const invited = await inviter.post('/v1/invitations', { email, role });
  expect(invited.status, JSON.stringify(invited.body)).toBe(201);
  const accepted = await apiClient(apiUrl).post('/v1/auth/accept-invitation', {
    token: invited.body.token,
    password: STRONG_PASSWORD,
    name: `A ${role}`,
  });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
  return {
    id: accepted.body.user.id,
    email,
    accessToken: accepted.body.accessToken,
    refreshToken: accepted.body.refreshToken,
    api: apiClient(apiUrl, accepted.body.accessToken),
  };
}

/** Enrols MFA for a signed-in user; returns the seed and the recovery codes. */
export async function enrolMfa(
  user: SignedInUser,
  nowMs = Date.now(),
): Promise<{ secret: string; recoveryCodes: string[] }> {
  const enrolment = await user.api.post('/v1/auth/mfa/enroll');
  expect(enrolment.status).toBe(200);
  const confirmed = await user.api.post('/v1/auth/mfa/confirm', {
    code: totpCode(enrolment.body.secret, nowMs),
  });
  expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
  return { secret: enrolment.body.secret, recoveryCodes: confirmed.body.recoveryCodes };
}

/** A browser-like client: keeps cookies from Set-Cookie and sends them back, with an Origin header. */
export function cookieClient(baseUrl: string) {
  const jar = new Map<string, string>();
  const setCookies: string[] = [];
  const request = async (
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const headers: Record<string, string> = { origin: 'http://127.0.0.1:5173', ...options.headers };
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    for (const cookie of res.headers.getSetCookie()) {
      setCookies.push(cookie);
      const [pair] = cookie.split(';');
      const at = (pair as string).indexOf('=');
      const name = (pair as string).slice(0, at);
      const value = (pair as string).slice(at + 1);
      if (value) jar.set(name, value);
      else jar.delete(name);
    }
    const text = await res.text();
    const body: Json =
      text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text;
    return { status: res.status, headers: res.headers, body };
  };
  return { jar, setCookies, request };
}
