import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { RateLimitedError } from '../errors/app-error.ts';
import type { Db } from './client.ts';
import { isConditionFailure, translateDynamoError } from './dynamo-errors.ts';
import { keys } from './keys.ts';

/**
 * Fixed one-second window counter in DynamoDB: one atomic conditional ADD per request, shared by
 * every Lambda instance and media task, so the limit holds across the fleet. Window items expire
 * through TTL a minute later.
 */
export async function consumeRateLimit(
  db: Db,
  scope: string,
  perSecond: number,
  nowMs = Date.now(),
): Promise<void> {
  const second = Math.floor(nowMs / 1000);
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.rateWindow(scope, second),
        UpdateExpression: 'ADD hits :one SET expiresAt = if_not_exists(expiresAt, :ttl)',
        ConditionExpression: 'attribute_not_exists(hits) OR hits < :limit',
        ExpressionAttributeValues: { ':one': 1, ':limit': perSecond, ':ttl': second + 60 },
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) {
      const retryAfter = (1000 - (nowMs % 1000)) / 1000;
      throw new RateLimitedError('Too many requests; slow down.', retryAfter, {
        details: { scope, limit: perSecond },
      });
    }
    throw translateDynamoError(error);
  }
}
