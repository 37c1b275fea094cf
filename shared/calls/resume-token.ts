import { createHmac, randomBytes } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { UnauthorizedError } from '../errors/app-error.ts';
import { CALL_PROVIDERS, type CallProvider } from './providers.ts';

/**
 * A short-lived credential that lets one media connection take over a live call after its media
 * task died or handed it over. The call id alone never resumes a call: the token is signed
 * (HS256), bound to the call, its tenant and the ownership generation it was minted for, and a
 * takeover consumes that generation with a conditional write (`call-owners.ts`), so it works once.
 */
export interface ResumeClaims {
  callId: string;
  tenantId: string;
  provider: CallProvider;
  /** The call's ownership generation when minted; the takeover moves it on, so reuse fails. */
  generation: number;
  /** When the minter learned the media connection was gone (epoch ms), for the gap telemetry. */
  lostAtMs?: number;
  /** Expiry, epoch seconds. */
  exp: number;
  jti: string;
}

/** Long enough for Twilio to fetch TwiML and open the stream, short enough to be useless if leaked. */
export const RESUME_TOKEN_TTL_SECONDS = 60;
const AUDIENCE = 'ai-caller/media-resume';
const ISSUER = 'ai-caller';
/** Derives the resume key from INTERNAL_SIGNING_KEY, so these MACs never verify as anything else. */
const KEY_LABEL = 'ai-caller/resume-token/v1';

const PayloadSchema = z.object({
  sub: z.string().min(1).max(64),
  tid: z.string().min(1).max(64),
  prv: z.enum(CALL_PROVIDERS),
  gen: z.number().int().positive(),
  lost: z.number().int().positive().optional(),
  exp: z.number().int().positive(),
  jti: z.string().min(8).max(64),
});

function resumeKey(signingKey: string): Uint8Array {
  if (!signingKey) throw new Error('A signing key is required.');
  return createHmac('sha256', signingKey).update(KEY_LABEL).digest();
}

/** Signs a resume token for `claims`; `jti` and `exp` are filled in. */
export async function signResumeToken(
  claims: Omit<ResumeClaims, 'exp' | 'jti'>,
  signingKey: string,
  options: { nowMs?: number; ttlSeconds?: number } = {},
): Promise<{ token: string; claims: ResumeClaims }> {
  const nowSeconds = Math.floor((options.nowMs ?? Date.now()) / 1000);
  const full: ResumeClaims = {
    ...claims,
    exp: nowSeconds + (options.ttlSeconds ?? RESUME_TOKEN_TTL_SECONDS),
    jti: randomBytes(12).toString('base64url'),
  };
  const token = await new SignJWT({
    tid: full.tenantId,
    prv: full.provider,
    gen: full.generation,
    ...(full.lostAtMs ? { lost: Math.round(full.lostAtMs) } : {}),
  })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(full.callId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(full.exp)
    .setJti(full.jti)
    .sign(resumeKey(signingKey));
  return { token, claims: full };
}

const refused = (reason: 'invalid' | 'expired') =>
  new UnauthorizedError(
    reason === 'expired' ? 'The resume token has expired.' : 'The resume token is invalid.',
    { details: { reason } },
  );

/**
 * Checks the signature, audience and expiry. Throws UnauthorizedError with `details.reason`
 * 'invalid' (malformed, forged, another key or audience) or 'expired'. Single use is enforced by
 * the takeover, not here.
 */
export async function verifyResumeToken(
  token: unknown,
  signingKey: string,
  nowMs: number = Date.now(),
): Promise<ResumeClaims> {
  if (typeof token !== 'string' || token.length === 0 || token.length > 1024 || !signingKey) {
    throw refused('invalid');
  }
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, resumeKey(signingKey), {
      algorithms: ['HS256'],
      audience: AUDIENCE,
      issuer: ISSUER,
      currentDate: new Date(nowMs),
      clockTolerance: 0,
    }));
  } catch (error) {
    throw refused(error instanceof errors.JWTExpired ? 'expired' : 'invalid');
  }
  const parsed = PayloadSchema.safeParse(payload);
  if (!parsed.success) throw refused('invalid');
  const p = parsed.data;
  return {
    callId: p.sub,
    tenantId: p.tid,
    provider: p.prv,
    generation: p.gen,
    ...(p.lost ? { lostAtMs: p.lost } : {}),
    exp: p.exp,
    jti: p.jti,
  };
}
