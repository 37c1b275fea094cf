import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../data/client.ts';
import { cancellationReasons, dynamo, translateDynamoError } from '../data/dynamo-errors.ts';
import { keys } from '../data/keys.ts';
import { CALL_INDEX } from '../data/table.ts';
import { stripeCustomerIndexPk } from '../data/tenants.ts';
import type { TenantBillingStatus } from '../tenants/tenant-types.ts';

/** The fields of a Stripe event this platform reads. */
export interface StripeEvent {
  id: string;
  type: string;
  created: number;
  data: { object: { id?: string; object?: string; customer?: string | null; status?: string } };
}

/** What an invoice event means for a tenant's standing; other events are only acknowledged. */
export function billingStatusAfter(eventType: string): TenantBillingStatus | undefined {
  switch (eventType) {
    case 'invoice.payment_failed':
    case 'invoice.marked_uncollectible':
      return 'past_due';
    case 'invoice.paid':
    case 'invoice.payment_succeeded':
      return 'active';
    default:
      return undefined;
  }
}

export function parseStripeEvent(value: unknown): StripeEvent | undefined {
  const event = value as Partial<StripeEvent> | null;
  if (!event || typeof event !== 'object') return undefined;
  if (typeof event.id !== 'string' || typeof event.type !== 'string' || typeof event.created !== 'number')
    return undefined;
  if (!event.data || typeof event.data !== 'object' || typeof event.data.object !== 'object')
    return undefined;
  return event as StripeEvent;
}

async function tenantIdsForCustomer(db: Db, customerId: string): Promise<string[]> {
  const out = await dynamo(() =>
    db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        IndexName: CALL_INDEX.byStatus,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': stripeCustomerIndexPk(customerId) },
      }),
    ),
  );
  return (out.Items ?? []).map((item) => String(item.gsi1sk));
}

export type StripeEventOutcome = 'applied' | 'duplicate' | 'ignored' | 'unknown_customer' | 'stale';

/**
 * Applies one verified Stripe event exactly once: the claim `IDEM#stripe#<event.id>` and the
 * tenant change are one transaction. An event older than the last one applied to the tenant
 * (Stripe does not guarantee order) is recorded but does not change the billing status.
 */
export async function applyStripeEvent(
  db: Db,
  event: StripeEvent,
  now = new Date(),
): Promise<{ outcome: StripeEventOutcome; tenantIds: string[] }> {
  const claim = {
    Put: {
      TableName: db.tableName,
      Item: {
        ...keys.idempotency('stripe', event.id),
        type: 'idem',
        eventType: event.type,
        at: now.toISOString(),
        // Stripe retries for about three days; keep the claim a while longer, then let TTL drop it.
        expiresAt: Math.floor(now.getTime() / 1000) + 30 * 86_400,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
  const status = billingStatusAfter(event.type);
  const customerId = typeof event.data.object.customer === 'string' ? event.data.object.customer : undefined;
  const tenantIds = status && customerId ? await tenantIdsForCustomer(db, customerId) : [];
  const outcome: StripeEventOutcome = !status
    ? 'ignored'
    : tenantIds.length === 0
      ? 'unknown_customer'
      : 'applied';
  const updates = tenantIds.map((tenantId) => ({
    Update: {
      TableName: db.tableName,
      Key: keys.tenant(tenantId),
      UpdateExpression:
        'SET billingStatus = :status, billingEventAt = :created, lastBillingEvent = :last, updatedAt = :now',
      ConditionExpression:
        'attribute_exists(pk) AND (attribute_not_exists(billingEventAt) OR billingEventAt <= :created)',
      ExpressionAttributeValues: {
        ':status': status,
        ':created': event.created,
        ':now': now.toISOString(),
        ':last': {
          eventId: event.id,
          type: event.type,
          objectId: event.data.object.id,
          receivedAt: now.toISOString(),
        },
      },
    },
  }));
  try {
    await db.doc.send(new TransactWriteCommand({ TransactItems: [claim, ...updates] }));
    return { outcome, tenantIds };
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (reasons[0] === 'ConditionalCheckFailed') return { outcome: 'duplicate', tenantIds };
    if (reasons.slice(1).includes('ConditionalCheckFailed')) {
      // Out of order: record the event (so a redelivery is a duplicate) without touching the tenant.
      try {
        await db.doc.send(new TransactWriteCommand({ TransactItems: [claim] }));
      } catch (claimError) {
        if (cancellationReasons(claimError)[0] !== 'ConditionalCheckFailed')
          throw translateDynamoError(claimError);
      }
      return { outcome: 'stale', tenantIds };
    }
    throw translateDynamoError(error);
  }
}
