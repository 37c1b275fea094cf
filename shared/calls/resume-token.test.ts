import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.ts';
import { signResumeToken, verifyResumeToken } from './resume-token.ts';

const KEY = 'k'.repeat(43);
const NOW = Date.UTC(2026, 11, 4, 9, 0, 0);
const CLAIMS = {
  callId: 'call_01',
  tenantId: 'ten_01',
  provider: 'twilio' as const,
  generation: 3,
  lostAtMs: NOW - 500,
};

async function refusal(token: unknown, key = KEY, nowMs = NOW): Promise<string | undefined> {
  try {
    await verifyResumeToken(token, key, nowMs);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('unauthorized');
    return ((error as AppError).details as { reason: string }).reason;
  }
}

describe('resume tokens', () => {
  it('round-trips the claims, with a 60-second lifetime and a unique id', async () => {
    const a = await signResumeToken(CLAIMS, KEY, { nowMs: NOW });
    const b = await signResumeToken(CLAIMS, KEY, { nowMs: NOW });
    expect(await verifyResumeToken(a.token, KEY, NOW + 59_000)).toEqual({
      ...CLAIMS,
      exp: NOW / 1000 + 60,
      jti: a.claims.jti,
    });
    expect(a.claims.jti).not.toBe(b.claims.jti);
    // It travels in a TwiML <Parameter> (about 500 characters for all of them).
    expect(a.token.length).toBeLessThan(400);
  });

  it.each([
    ['expired', async () => (await signResumeToken(CLAIMS, KEY, { nowMs: NOW - 61_000 })).token, 'expired'],
    [
      'signed with another key',
      async () => (await signResumeToken(CLAIMS, 'x'.repeat(43), { nowMs: NOW })).token,
      'invalid',
    ],
    [
      'a forged signature',
      async () => {
        const { token } = await signResumeToken(CLAIMS, KEY, { nowMs: NOW });
        // Another call's claims under this token's signature.
        const [header, , signature] = token.split('.');
        const other = Buffer.from(
          JSON.stringify({ sub: 'call_02', tid: 'ten_01', prv: 'twilio', gen: 3 }),
        ).toString('base64url');
        return `${header}.${other}.${signature}`;
      },
      'invalid',
    ],
    [
      'a JWT for another audience under the raw signing key',
      async () =>
        new SignJWT({ tid: 'ten_01', prv: 'twilio', gen: 1 })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('call_01')
          .setExpirationTime(NOW / 1000 + 60)
          .sign(new TextEncoder().encode(KEY)),
      'invalid',
    ],
    ['alg none', async () => 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJjYWxsXzAxIn0.', 'invalid'],
    ['not a string', async () => 42, 'invalid'],
    ['empty', async () => '', 'invalid'],
    ['too long', async () => 'a'.repeat(2000), 'invalid'],
  ])('refuses %s', async (_name, make, reason) => {
    expect(await refusal(await make())).toBe(reason);
  });

  it('refuses everything without a key', async () => {
    const { token } = await signResumeToken(CLAIMS, KEY, { nowMs: NOW });
    expect(await refusal(token, '')).toBe('invalid');
  });
});
