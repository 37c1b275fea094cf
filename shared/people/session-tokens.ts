import { errors, type JWTHeaderParameters, jwtVerify, SignJWT } from 'jose';
import { AppError } from '../errors/app-error.ts';
import type { Keyring, KeyringSource } from './signing-keys.ts';

export const ACCESS_TOKEN_TTL_MS = 15 * 60_000;
export const MFA_TOKEN_TTL_MS = 5 * 60_000;
const ISSUER = 'ai-caller';
const AUDIENCE = 'ai-caller-api';

export class InvalidTokenError extends AppError {
  constructor(message = 'The token is not valid or has expired.', options?: { cause?: unknown }) {
    super('invalid_token', message, options);
    this.name = 'InvalidTokenError';
  }
}

export interface AccessClaims {
  userId: string;
  tenantId: string;
  /** The session family (one per sign-in; refreshes keep it). */
  sessionId: string;
  csrf: string;
}

export interface MfaClaims {
  userId: string;
  tenantId: string;
}

/** A JWT has three base64url parts; API keys (`sk_…`) never do. */
export function looksLikeJwt(token: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);
}

async function sign(
  keyring: Keyring,
  typ: string,
  payload: Record<string, unknown>,
  sub: string,
  nowMs: number,
  ttlMs: number,
) {
  const key = keyring.keys.get(keyring.currentKid) as Uint8Array;
  const expiresAtMs = nowMs + ttlMs;
  const token = await new SignJWT({ ...payload, typ })
    .setProtectedHeader({ alg: 'HS256', kid: keyring.currentKid })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(sub)
    .setIssuedAt(Math.floor(nowMs / 1000))
    .setExpirationTime(Math.floor(expiresAtMs / 1000))
    .sign(key);
  return { token, expiresAt: new Date(Math.floor(expiresAtMs / 1000) * 1000).toISOString() };
}

export function signAccessToken(keyring: Keyring, claims: AccessClaims, nowMs = Date.now()) {
  return sign(
    keyring,
    'access',
    { ten: claims.tenantId, sid: claims.sessionId, csrf: claims.csrf },
    claims.userId,
    nowMs,
    ACCESS_TOKEN_TTL_MS,
  );
}

export async function signMfaToken(keyring: Keyring, claims: MfaClaims, nowMs = Date.now()): Promise<string> {
  return (await sign(keyring, 'mfa', { ten: claims.tenantId }, claims.userId, nowMs, MFA_TOKEN_TTL_MS)).token;
}

async function verify(source: KeyringSource, token: string, typ: string, nowMs: number) {
  if (!looksLikeJwt(token)) throw new InvalidTokenError();
  const options = { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], currentDate: new Date(nowMs) };
  const attempt = async (keyring: Keyring) =>
    jwtVerify(
      token,
      (header: JWTHeaderParameters) => {
        const key = header.kid ? keyring.keys.get(header.kid) : undefined;
        if (!key) throw new errors.JWKSNoMatchingKey();
        return key;
      },
      options,
    );
  let result: Awaited<ReturnType<typeof attempt>>;
  try {
    result = await attempt(await source.get());
  } catch (error) {
    if (!(error instanceof errors.JWKSNoMatchingKey))
      throw new InvalidTokenError(undefined, { cause: error });
    // A kid this instance has not loaded yet (a rotation in progress): re-read the keyring once.
    try {
      result = await attempt(await source.get({ refresh: true }));
    } catch (retryError) {
      throw new InvalidTokenError(undefined, { cause: retryError });
    }
  }
  const { payload } = result;
  if (payload.typ !== typ || typeof payload.sub !== 'string' || typeof payload.ten !== 'string')
    throw new InvalidTokenError();
  return payload;
}

export async function verifyAccessToken(
  source: KeyringSource,
  token: string,
  nowMs = Date.now(),
): Promise<AccessClaims> {
  const payload = await verify(source, token, 'access', nowMs);
  if (typeof payload.sid !== 'string' || typeof payload.csrf !== 'string') throw new InvalidTokenError();
  return {
    userId: payload.sub as string,
    tenantId: payload.ten as string,
    sessionId: payload.sid,
    csrf: payload.csrf,
  };
}

export async function verifyMfaToken(
  source: KeyringSource,
  token: string,
  nowMs = Date.now(),
): Promise<MfaClaims> {
  const payload = await verify(source, token, 'mfa', nowMs);
  return { userId: payload.sub as string, tenantId: payload.ten as string };
}
