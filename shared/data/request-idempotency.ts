import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.ts';
import { dynamo, isConditionFailure, translateDynamoError } from './dynamo-errors.ts';
import { keys } from './keys.ts';

/** What a client's `Idempotency-Key` maps to. */
export type IdempotencyClaim =
  | { state: 'claimed' }
  | { state: 'completed'; resourceId: string; fingerprint: string }
  | { state: 'pending'; fingerprint: string };

/**
 * Claims an idempotency key for one request (IDEM item, expiring after `ttlSeconds`). The first
 * request gets `claimed`; a repeat gets the stored outcome (`completed` with the resource id) or
 * `pending` while the first is still running. An expired claim counts as free.
 */
export async function claimIdempotencyKey(
  db: Db,
  input: { scope: string; key: string; fingerprint: string; ttlSeconds: number; nowMs?: number },
): Promise<IdempotencyClaim> {
  const nowSeconds = Math.floor((input.nowMs ?? Date.now()) / 1000);
  const itemKey = keys.idempotency(input.scope, input.key);
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: {
          ...itemKey,
          type: 'idempotency',
          state: 'pending',
          fingerprint: input.fingerprint,
          expiresAt: nowSeconds + input.ttlSeconds,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
        ExpressionAttributeValues: { ':now': nowSeconds },
      }),
    );
    return { state: 'claimed' };
  } catch (error) {
    if (!isConditionFailure(error)) throw translateDynamoError(error);
  }
  const out = await dynamo(() =>
    db.doc.send(new GetCommand({ TableName: db.tableName, Key: itemKey, ConsistentRead: true })),
  );
  const item = out.Item ?? {};
  const fingerprint = String(item.fingerprint ?? '');
  if (item.state === 'completed' && typeof item.resourceId === 'string') {
    return { state: 'completed', resourceId: item.resourceId, fingerprint };
  }
  return { state: 'pending', fingerprint };
}

/** Records the outcome of a claimed key, so repeats return the same resource. */
export async function completeIdempotencyKey(
  db: Db,
  scope: string,
  key: string,
  resourceId: string,
): Promise<void> {
  await dynamo(() =>
    db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.idempotency(scope, key),
        UpdateExpression: 'SET #state = :completed, resourceId = :id',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':completed': 'completed', ':id': resourceId },
      }),
    ),
  );
}

/** Frees a claimed key after a failed attempt, so the client may retry with it. */
export async function releaseIdempotencyKey(db: Db, scope: string, key: string): Promise<void> {
  await dynamo(() =>
    db.doc.send(new DeleteCommand({ TableName: db.tableName, Key: keys.idempotency(scope, key) })),
  );
}
