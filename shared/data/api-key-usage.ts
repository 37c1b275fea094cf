import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.ts';
import { isConditionFailure, translateDynamoError } from './dynamo-errors.ts';
import { hashApiKey } from './api-keys.ts';
import { keys } from './keys.ts';

/** `lastUsedAt` is refreshed at most this often, so a busy key costs one write per interval. */
export const KEY_USAGE_INTERVAL_MS = 60_000;

export function isKeyUsageStale(lastUsedAt: string | undefined, nowMs: number): boolean {
  return !lastUsedAt || nowMs - Date.parse(lastUsedAt) >= KEY_USAGE_INTERVAL_MS;
}

/**
 * Records when a key was last used, on its record (what the API lists) and its hash lookup (what
 * authentication reads, to know when the next refresh is due). Conditional on the key still
 * existing, so a refresh racing a delete never resurrects it.
 */
export async function touchApiKey(
  db: Db,
  input: { tenantId: string; keyId: string; secret: string; now?: Date },
): Promise<void> {
  const at = (input.now ?? new Date()).toISOString();
  const update = (key: { pk: string; sk: string }) => ({
    Update: {
      TableName: db.tableName,
      Key: key,
      UpdateExpression: 'SET lastUsedAt = :at',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':at': at },
    },
  });
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          update(keys.apiKey(input.tenantId, input.keyId)),
          update(keys.apiKeyHash(hashApiKey(input.secret))),
        ],
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) return;
    throw translateDynamoError(error);
  }
}
