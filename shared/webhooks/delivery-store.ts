import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../data/client.ts';
import { cancellationReasons, dynamo, translateDynamoError } from '../data/dynamo-errors.ts';
import { keys, tenantPk } from '../data/keys.ts';
import { type Page, queryPage, stripKeys } from '../data/pagination.ts';
import { newId } from '../ids/ids.ts';

/** `blocked`: the URL resolves to a non-public address; not sent, not retried. */
export type DeliveryStatus = 'delivered' | 'failed' | 'gone' | 'blocked';

/** One delivery attempt (`TENANT#t / WHDELIVERY#whd_…`, ULID ids: newest last in key order). */
export interface DeliveryAttempt {
  id: string;
  tenantId: string;
  eventId: string;
  eventType: string;
  callId?: string;
  url: string;
  attempt: number;
  status: DeliveryStatus;
  httpStatus?: number;
  error?: string;
  durationMs: number;
  attemptedAt: string;
  /** When the next attempt is due, for failed attempts that will be retried. */
  nextAttemptAt?: string;
}

const attemptKey = (tenantId: string, id: string) => ({ pk: tenantPk(tenantId), sk: `WHDELIVERY#${id}` });
const deliveredKey = (eventId: string) => keys.idempotency('webhook', eventId);

/** Has this event already been delivered (a redelivered queue message)? */
export async function wasDelivered(db: Db, eventId: string): Promise<boolean> {
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({ TableName: db.tableName, Key: deliveredKey(eventId), ConsistentRead: true }),
    ),
  );
  return Boolean(out.Item);
}

/**
 * Records an attempt. A final one (delivered, gone) also claims `IDEM#webhook#<eventId>` in the
 * same transaction, so the event is never sent again once the customer accepted it.
 */
export async function recordAttempt(db: Db, input: Omit<DeliveryAttempt, 'id'>): Promise<DeliveryAttempt> {
  const attempt: DeliveryAttempt = { id: newId('webhookDelivery', Date.parse(input.attemptedAt)), ...input };
  const put = {
    TableName: db.tableName,
    Item: { ...attemptKey(attempt.tenantId, attempt.id), type: 'webhookDelivery', ...attempt },
  };
  if (attempt.status === 'failed' || attempt.status === 'blocked') {
    await dynamo(() => db.doc.send(new PutCommand(put)));
    return attempt;
  }
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: put },
          {
            Put: {
              TableName: db.tableName,
              Item: {
                ...deliveredKey(attempt.eventId),
                type: 'idem',
                tenantId: attempt.tenantId,
                status: attempt.status,
                at: attempt.attemptedAt,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
  } catch (error) {
    // A concurrent duplicate delivered it too; the receiver dedupes on webhook-id.
    if (cancellationReasons(error)[1] !== 'ConditionalCheckFailed') throw translateDynamoError(error);
    await dynamo(() => db.doc.send(new PutCommand(put)));
  }
  return attempt;
}

/** A tenant's attempts, newest first; optionally only one event's or one call's. */
export function listDeliveryAttempts(
  db: Db,
  tenantId: string,
  filters: { eventId?: string; callId?: string },
  page: { limit: number; cursor?: string; signingKey: string },
): Promise<Page<DeliveryAttempt>> {
  const conditions: string[] = [];
  const values: Record<string, unknown> = { ':pk': tenantPk(tenantId), ':prefix': 'WHDELIVERY#' };
  if (filters.eventId) {
    conditions.push('eventId = :eventId');
    values[':eventId'] = filters.eventId;
  }
  if (filters.callId) {
    conditions.push('callId = :callId');
    values[':callId'] = filters.callId;
  }
  return queryPage(
    db,
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      FilterExpression: conditions.length ? conditions.join(' AND ') : undefined,
      ExpressionAttributeValues: values,
      ScanIndexForward: false,
    },
    {
      ...page,
      scope: `webhook-deliveries:${tenantId}:${filters.eventId ?? ''}:${filters.callId ?? ''}`,
    },
    (item) => stripKeys<DeliveryAttempt>(item),
  );
}
