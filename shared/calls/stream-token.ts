import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { Db } from '../data/client.ts';
import { isConditionFailure, translateDynamoError } from '../data/dynamo-errors.ts';
import { keys } from '../data/keys.ts';
import { ConflictError, UnauthorizedError } from '../errors/app-error.ts';
import { STREAM_TOKEN_PROVIDERS, type StreamTokenProvider } from './providers.ts';

/**
 * Short-lived, single-use credential that lets one media connection (a Twilio Media Stream or a
 * browser WebSocket) join one admitted call. The control plane signs it when it admits the call;
 * the media service verifies it before opening any model session and consumes it once.
 */
export interface StreamTokenClaims {
  callId: string;
  tenantId: string;
  agentId: string;
  provider: StreamTokenProvider;
  /** Expiry, epoch seconds. */
  exp: number;
  /** Unique token id: the single-use key. */
  jti: string;
}

/** Token format version, also mixed into the MAC so a token cannot be replayed as another format. */
const VERSION = 'st1';
/** Keeps these MACs apart from anything else signed with INTERNAL_SIGNING_KEY (e.g. cursors). */
const MAC_DOMAIN = 'ai-caller/stream-token/';

/**
 * Short keys: TwiML `<Parameter>` values share a budget of about 500 characters, and this token
 * travels in one of them. A token for typical ids is about 250 characters.
 */
const WireClaimsSchema = z.object({
  c: z.string().min(1).max(64),
  t: z.string().min(1).max(64),
  a: z.string().min(1).max(64),
  p: z.enum(STREAM_TOKEN_PROVIDERS),
  e: z.number().int().positive(),
  j: z.string().min(8).max(64),
});

function mac(body: string, key: string): Buffer {
  return createHmac('sha256', key).update(`${MAC_DOMAIN}${VERSION}.${body}`).digest();
}

/** A random token id (128 bits, base64url). */
export function newStreamTokenId(): string {
  return randomBytes(16).toString('base64url');
}

/** Signs `claims` with HMAC-SHA256 under `key` (the INTERNAL_SIGNING_KEY secret). */
export function signStreamToken(claims: StreamTokenClaims, key: string): string {
  if (!key) throw new Error('A signing key is required.');
  const wire = {
    c: claims.callId,
    t: claims.tenantId,
    a: claims.agentId,
    p: claims.provider,
    e: claims.exp,
    j: claims.jti,
  };
  const body = Buffer.from(JSON.stringify(wire)).toString('base64url');
  return `${VERSION}.${body}.${mac(body, key).toString('base64url')}`;
}

const invalid = () =>
  new UnauthorizedError('The stream token is invalid.', { details: { reason: 'invalid' } });

/**
 * Checks the MAC (constant time) and the expiry. Throws UnauthorizedError with
 * `details.reason` 'invalid' (malformed, forged, wrong key) or 'expired'. It does NOT check
 * single use: call `consumeStreamToken` before acting on the claims.
 */
export function verifyStreamToken(token: string, key: string, nowMs: number = Date.now()): StreamTokenClaims {
  if (typeof token !== 'string' || token.length > 1024 || !key) throw invalid();
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION) throw invalid();
  const [, body, signature] = parts as [string, string, string];
  const expected = mac(body, key);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  let wire: z.output<typeof WireClaimsSchema>;
  try {
    const parsed = WireClaimsSchema.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
    if (!parsed.success) throw invalid();
    wire = parsed.data;
  } catch {
    throw invalid();
  }
  if (wire.e * 1000 <= nowMs) {
    throw new UnauthorizedError('The stream token has expired.', { details: { reason: 'expired' } });
  }
  return { callId: wire.c, tenantId: wire.t, agentId: wire.a, provider: wire.p, exp: wire.e, jti: wire.j };
}

/**
 * Keeps a call's media claim well past any call's life: agents end calls within 4 hours, and a
 * claim that expired while its call was still live would let a replayed webhook start a second session.
 */
const CALL_CLAIM_TTL_SECONDS = 2 * 24 * 3600;

/**
 * Claims the call's one media session with a conditional put on `IDEM#stream-call#{callId}`: a
 * call is joined by exactly one connection across every media task, whichever of its tokens is
 * presented (a replayed voice webhook signs a fresh token for the same call, and the same token
 * may be replayed). Throws ConflictError with `details.reason` 'replayed' on any second attempt.
 */
export async function consumeStreamToken(db: Db, claims: StreamTokenClaims): Promise<void> {
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: {
          ...keys.idempotency('stream-call', claims.callId),
          type: 'streamClaim',
          callId: claims.callId,
          tenantId: claims.tenantId,
          jti: claims.jti,
          provider: claims.provider,
          // TTL is best effort (items may outlive it): it only keeps the table tidy.
          expiresAt: claims.exp + CALL_CLAIM_TTL_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) {
      throw new ConflictError('The call already has a media connection.', {
        details: { reason: 'replayed' },
        cause: error,
      });
    }
    throw translateDynamoError(error);
  }
}
