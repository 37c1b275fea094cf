import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.ts';
import { dynamo, isConditionFailure, translateDynamoError } from './dynamo-errors.ts';
import { keys } from './keys.ts';
import { hashToken, newLinkToken, ttlAfter } from './one-time-tokens.ts';

export const PASSWORD_RESET_TTL_MS = 3600_000;

export async function createPasswordReset(
  db: Db,
  user: { tenantId: string; id: string },
  nowMs = Date.now(),
): Promise<string> {
  const { token, hash } = newLinkToken('pwr');
  const validUntilMs = nowMs + PASSWORD_RESET_TTL_MS;
  await dynamo(() =>
    db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: {
          ...keys.passwordReset(hash),
          type: 'passwordReset',
          tenantId: user.tenantId,
          userId: user.id,
          validUntilMs,
          expiresAt: ttlAfter(validUntilMs),
        },
      }),
    ),
  );
  return token;
}

/** The user a live reset token is for, without using it up (so a refused password keeps the link). */
export async function findPasswordReset(
  db: Db,
  token: string,
  nowMs = Date.now(),
): Promise<{ tenantId: string; userId: string } | undefined> {
  if (!/^pwr_[\w-]{43}$/.test(token)) return undefined;
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({
        TableName: db.tableName,
        Key: keys.passwordReset(hashToken(token)),
        ConsistentRead: true,
      }),
    ),
  );
  if (!out.Item || Number(out.Item.validUntilMs) <= nowMs) return undefined;
  return { tenantId: String(out.Item.tenantId), userId: String(out.Item.userId) };
}

/** Uses a reset token once: deleted on the way, so a second use finds nothing. */
export async function consumePasswordReset(
  db: Db,
  token: string,
  nowMs = Date.now(),
): Promise<{ tenantId: string; userId: string } | undefined> {
  const found = await findPasswordReset(db, token, nowMs);
  if (!found) return undefined;
  try {
    await db.doc.send(
      new DeleteCommand({
        TableName: db.tableName,
        Key: keys.passwordReset(hashToken(token)),
        ConditionExpression: 'attribute_exists(pk)',
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw translateDynamoError(error);
  }
  return found;
}
