import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { newId } from '../ids/ids.ts';
import type { Db } from './client.ts';
import { dynamo, isConditionFailure, translateDynamoError } from './dynamo-errors.ts';
import { keys } from './keys.ts';
import { hashToken } from './one-time-tokens.ts';
import { stripKeys } from './pagination.ts';

/** A session family lives this long without use; each refresh extends it. */
export const SESSION_IDLE_TTL_MS = 30 * 24 * 3600_000;

/**
 * One sign-in: a family of refresh tokens of which only the newest (its hash) is valid. A token
 * that was already rotated coming back means it was copied: the family is revoked.
 */
export interface SessionRecord {
  id: string;
  tenantId: string;
  userId: string;
  currentHash: string;
  /** The CSRF token of this session (echoed by browsers in X-CSRF-Token). */
  csrf: string;
  createdAtMs: number;
  lastUsedAtMs: number;
  revoked?: boolean;
  revokedReason?: 'sign_out' | 'reuse' | 'password_reset';
}

const refreshTokenFor = (sessionId: string) => `rt_${sessionId}.${randomBytes(32).toString('base64url')}`;

export function sessionIdOfRefreshToken(token: string): string | undefined {
  const match = /^rt_(ses_[0-9A-HJKMNP-TV-Z]{26})\.[\w-]{43}$/.exec(token);
  return match?.[1];
}

export async function createSession(
  db: Db,
  input: { tenantId: string; userId: string; nowMs: number },
): Promise<{ session: SessionRecord; refreshToken: string }> {
  const id = newId('session', input.nowMs);
  const refreshToken = refreshTokenFor(id);
  const session: SessionRecord = {
    id,
    tenantId: input.tenantId,
    userId: input.userId,
    currentHash: hashToken(refreshToken),
    csrf: randomBytes(24).toString('base64url'),
    createdAtMs: input.nowMs,
    lastUsedAtMs: input.nowMs,
  };
  await dynamo(() =>
    db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: {
          ...keys.session(id),
          type: 'session',
          ...session,
          expiresAt: Math.floor((input.nowMs + SESSION_IDLE_TTL_MS) / 1000),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  return { session, refreshToken };
}

export async function getSession(
  db: Db,
  sessionId: string,
  nowMs = Date.now(),
): Promise<SessionRecord | undefined> {
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({ TableName: db.tableName, Key: keys.session(sessionId), ConsistentRead: true }),
    ),
  );
  if (!out.Item) return undefined;
  // TTL deletion lags; an idle-expired session is treated as gone.
  if (typeof out.Item.expiresAt === 'number' && out.Item.expiresAt * 1000 <= nowMs) return undefined;
  return stripKeys<SessionRecord>(out.Item);
}

export async function revokeSession(
  db: Db,
  sessionId: string,
  reason: NonNullable<SessionRecord['revokedReason']>,
): Promise<void> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.session(sessionId),
        UpdateExpression: 'SET revoked = :true, revokedReason = :reason',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':true': true, ':reason': reason },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw translateDynamoError(error);
  }
}

export type RotationResult =
  | { outcome: 'rotated'; session: SessionRecord; refreshToken: string }
  | { outcome: 'reused'; session: SessionRecord }
  | { outcome: 'invalid' };

/**
 * Exchanges a refresh token for the next one. The swap is conditional on the presented token
 * still being current, so of two concurrent uses of one token only one wins; the loser (like any
 * older token) counts as reuse and revokes the family.
 */
export async function rotateRefreshToken(db: Db, token: string, nowMs = Date.now()): Promise<RotationResult> {
  const sessionId = sessionIdOfRefreshToken(token);
  if (!sessionId) return { outcome: 'invalid' };
  const session = await getSession(db, sessionId, nowMs);
  if (!session || session.revoked) return { outcome: 'invalid' };
  const presentedHash = hashToken(token);
  if (presentedHash !== session.currentHash) {
    await revokeSession(db, session.id, 'reuse');
    return { outcome: 'reused', session };
  }
  const refreshToken = refreshTokenFor(session.id);
  const nextHash = hashToken(refreshToken);
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.session(session.id),
        UpdateExpression: 'SET currentHash = :next, lastUsedAtMs = :now, expiresAt = :ttl',
        ConditionExpression: 'currentHash = :presented AND attribute_not_exists(revoked)',
        ExpressionAttributeValues: {
          ':next': nextHash,
          ':presented': presentedHash,
          ':now': nowMs,
          ':ttl': Math.floor((nowMs + SESSION_IDLE_TTL_MS) / 1000),
        },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw translateDynamoError(error);
    await revokeSession(db, session.id, 'reuse');
    return { outcome: 'reused', session };
  }
  return {
    outcome: 'rotated',
    session: { ...session, currentHash: nextHash, lastUsedAtMs: nowMs },
    refreshToken,
  };
}
