import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../test/platform.ts';
import { dbFromEnv } from '../data/client.ts';
import { type AppError, ConflictError, UnauthorizedError } from '../errors/app-error.ts';
import {
  consumeStreamToken,
  newStreamTokenId,
  type StreamTokenClaims,
  signStreamToken,
  verifyStreamToken,
} from './stream-token.ts';

const KEY = 'k'.repeat(32);
const NOW_MS = 1_763_790_000_000;
const claims: StreamTokenClaims = {
  callId: 'call_01KAM0000000000000000000000',
  tenantId: 'ten_01KAM0000000000000000000000',
  agentId: 'agt_01KAM0000000000000000000000',
  provider: 'twilio',
  exp: NOW_MS / 1000 + 60,
  jti: 'AAAAAAAAAAAAAAAAAAAAAA',
};

/** Re-signs an arbitrary body with the right key: a structurally bad token that passes the MAC. */
function signRaw(body: unknown, asText = JSON.stringify(body)): string {
  const encoded = Buffer.from(asText).toString('base64url');
  const mac = createHmac('sha256', KEY).update(`ai-caller/stream-token/st1.${encoded}`).digest('base64url');
  return `st1.${encoded}.${mac}`;
}

function reasonOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UnauthorizedError);
    return ((error as AppError).details as { reason?: unknown }).reason;
  }
  throw new Error('expected a rejection');
}

describe('stream tokens (pure)', () => {
  it('round-trips the claims', () => {
    const token = signStreamToken(claims, KEY);
    expect(verifyStreamToken(token, KEY, NOW_MS)).toEqual(claims);
  });

  it('stays short enough for a TwiML <Parameter> with realistic ids', () => {
    const token = signStreamToken({ ...claims, jti: newStreamTokenId() }, KEY);
    expect(token.length).toBeLessThan(300);
    expect(token).toMatch(/^[A-Za-z0-9._-]+$/);
  });

  it('is valid until the second before exp and expired from exp on', () => {
    const token = signStreamToken(claims, KEY);
    expect(verifyStreamToken(token, KEY, claims.exp * 1000 - 1).callId).toBe(claims.callId);
    expect(reasonOf(() => verifyStreamToken(token, KEY, claims.exp * 1000))).toBe('expired');
  });

  const token = signStreamToken(claims, KEY);
  const [version, body, mac] = token.split('.') as [string, string, string];
  const otherBody = Buffer.from(
    JSON.stringify({
      c: 'call_other',
      t: claims.tenantId,
      a: claims.agentId,
      p: 'twilio',
      e: claims.exp,
      j: claims.jti,
    }),
  ).toString('base64url');

  it.each([
    ['another key', token, 'x'.repeat(32)],
    ['an empty key', token, ''],
    ['a swapped body (other call id)', `${version}.${otherBody}.${mac}`, KEY],
    ['a truncated MAC', `${version}.${body}.${mac.slice(0, -2)}`, KEY],
    ['an unknown version', `st2.${body}.${mac}`, KEY],
    ['too few parts', `${version}.${body}`, KEY],
    ['an empty string', '', KEY],
    ['garbage', 'not a token at all', KEY],
    ['a very long token', `st1.${'a'.repeat(2000)}.${mac}`, KEY],
    ['a signed body that is not JSON', signRaw(null, 'not json'), KEY],
    ['signed claims missing the jti', signRaw({ c: 'a', t: 'b', a: 'c', p: 'twilio', e: 9e9 }), KEY],
    [
      'signed claims with a bad provider',
      signRaw({ c: 'a', t: 'b', a: 'c', p: 'sip', e: 9e9, j: 'j'.repeat(16) }),
      KEY,
    ],
    [
      'signed claims with a string exp',
      signRaw({ c: 'a', t: 'b', a: 'c', p: 'web', e: '9e9', j: 'j'.repeat(16) }),
      KEY,
    ],
  ])('rejects %s as invalid', (_name, candidate, key) => {
    expect(reasonOf(() => verifyStreamToken(candidate, key, NOW_MS))).toBe('invalid');
  });

  it('accepts well-formed claims signed by signRaw (the helper above matches the format)', () => {
    const raw = signRaw({ c: 'a', t: 'b', a: 'c', p: 'web', e: 9e9, j: 'j'.repeat(16) });
    expect(verifyStreamToken(raw, KEY, NOW_MS)).toMatchObject({ callId: 'a', provider: 'web' });
  });

  it('makes distinct token ids', () => {
    const ids = new Set(Array.from({ length: 100 }, newStreamTokenId));
    expect(ids.size).toBe(100);
  });
});

describe('stream tokens (single use, DynamoDB Local)', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform();
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('consumes a token once and refuses the replay', async () => {
    const db = dbFromEnv();
    const fresh = { ...claims, callId: `call_${newStreamTokenId()}`, jti: newStreamTokenId() };
    await consumeStreamToken(db, fresh);
    const replay = await consumeStreamToken(db, fresh).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(replay).toBeInstanceOf(ConflictError);
    expect((replay as AppError).details).toEqual({ reason: 'replayed' });
  });

  it('lets exactly one of many concurrent consumers win', async () => {
    const db = dbFromEnv();
    const fresh = { ...claims, callId: `call_${newStreamTokenId()}`, jti: newStreamTokenId() };
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => consumeStreamToken(db, fresh)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(7);
  });

  it('refuses a second token for the same call (one media session per call)', async () => {
    const db = dbFromEnv();
    const callId = `call_${newStreamTokenId()}`;
    await consumeStreamToken(db, { ...claims, callId, jti: newStreamTokenId() });
    await expect(
      consumeStreamToken(db, { ...claims, callId, jti: newStreamTokenId() }),
    ).rejects.toBeInstanceOf(ConflictError);
    await expect(
      consumeStreamToken(db, { ...claims, callId: `call_${newStreamTokenId()}`, jti: newStreamTokenId() }),
    ).resolves.toBeUndefined();
  });
});
