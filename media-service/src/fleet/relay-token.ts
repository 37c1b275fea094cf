import { createHmac } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { type MediaCommand, MediaCommandSchema } from '#shared/queues/contracts.ts';

/**
 * The credential on a command one media task hands to another: the command itself, signed
 * (HS256) with a key derived from INTERNAL_SIGNING_KEY, valid for seconds. Only tasks of this
 * platform hold the key, so nothing else on the network can end a call through a task's port.
 */
const AUDIENCE = 'ai-caller/media-relay';
const ISSUER = 'ai-caller/media-task';
/** Derived key: a MAC made for relayed commands never verifies as a resume or stream token. */
const KEY_LABEL = 'ai-caller/media-relay/v1';
export const RELAY_TOKEN_TTL_SECONDS = 30;

function relayKey(signingKey: string): Uint8Array {
  if (!signingKey) throw new Error('A signing key is required.');
  return createHmac('sha256', signingKey).update(KEY_LABEL).digest();
}

export async function signRelayedCommand(
  command: MediaCommand,
  fromTaskId: string,
  signingKey: string,
  nowMs: number = Date.now(),
): Promise<string> {
  const nowSeconds = Math.floor(nowMs / 1000);
  return new SignJWT({ cmd: command })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(fromTaskId.slice(0, 120))
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + RELAY_TOKEN_TTL_SECONDS)
    .sign(relayKey(signingKey));
}

export type RelayVerification =
  | { ok: true; command: MediaCommand; fromTaskId: string }
  | { ok: false; reason: 'invalid_token' | 'invalid_command' };

/** Never throws: a forged, expired or malformed token is a refusal the route answers with 401/400. */
export async function verifyRelayedCommand(
  token: string,
  signingKey: string,
  nowMs: number = Date.now(),
): Promise<RelayVerification> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, relayKey(signingKey), {
      algorithms: ['HS256'],
      audience: AUDIENCE,
      issuer: ISSUER,
      currentDate: new Date(nowMs),
      requiredClaims: ['exp', 'iat', 'sub'],
    }));
  } catch {
    return { ok: false, reason: 'invalid_token' };
  }
  const parsed = MediaCommandSchema.safeParse(payload.cmd);
  if (!parsed.success) return { ok: false, reason: 'invalid_command' };
  return { ok: true, command: parsed.data, fromTaskId: String(payload.sub) };
}

/**
 * A relayed consult stream (`stream-relay.ts`) is authorised by its own token kind: the call id
 * whose owner it is meant for, under another audience, so a command token never opens a stream
 * and a stream token never carries a command.
 */
const STREAM_AUDIENCE = 'ai-caller/media-relay/stream';

export async function signRelayedStream(
  callId: string,
  fromTaskId: string,
  signingKey: string,
  nowMs: number = Date.now(),
): Promise<string> {
  const nowSeconds = Math.floor(nowMs / 1000);
  return new SignJWT({ call: callId })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience(STREAM_AUDIENCE)
    .setSubject(fromTaskId.slice(0, 120))
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + RELAY_TOKEN_TTL_SECONDS)
    .sign(relayKey(signingKey));
}

/** The call id and sending task of a relayed stream, or undefined for a forged, expired or foreign token. */
export async function verifyRelayedStream(
  token: string,
  signingKey: string,
  nowMs: number = Date.now(),
): Promise<{ callId: string; fromTaskId: string } | undefined> {
  try {
    const { payload } = await jwtVerify(token, relayKey(signingKey), {
      algorithms: ['HS256'],
      audience: STREAM_AUDIENCE,
      issuer: ISSUER,
      currentDate: new Date(nowMs),
      requiredClaims: ['exp', 'iat', 'sub'],
    });
    if (typeof payload.call !== 'string' || payload.call === '') return undefined;
    return { callId: payload.call, fromTaskId: String(payload.sub) };
  } catch {
    return undefined;
  }
}
