import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../data/client.ts';
import { cancellationReasons, dynamo, translateDynamoError } from '../data/dynamo-errors.ts';
import { keys } from '../data/keys.ts';
import { CALL_INDEX } from '../data/table.ts';
import { stripeCustomerIndexPk } from '../data/tenants.ts';
import type { TenantBillingStatus } from '../tenants/tenant-types.ts';

/**
 * The fields of a Stripe snapshot event this platform reads. `object` is undefined when the event
 * carries no usable object (Stripe sends `null` for some types; anything but a JSON object counts).
 */
export interface StripeEvent {
  id: string;
  type: string;
  created: number;
  object?: { id?: string; customerId?: string };
}

/**
 * A v2 "thin" event (`object: "v2.core.event"`, e.g. `v1.billing.meter.error_report_triggered`):
 * only a reference to the object, fetched from the API if wanted. The platform acknowledges them.
 */
export interface StripeThinEvent {
  id: string;
  type: string;
  relatedObjectId?: string;
}

export type ParsedStripeEvent =
  | { kind: 'snapshot'; event: StripeEvent }
  | { kind: 'thin'; event: StripeThinEvent };

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

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A customer reference: the id, or an expanded customer object with its id. */
function customerIdOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isRecord(value) && typeof value.id === 'string') return value.id;
  return undefined;
}

/**
 * Reads a verified Stripe event body. Undefined only when it is not an event at all (no string id
 * and type); any other shape parses, with what the platform cannot use left out. Never throws.
 */
export function parseStripeEvent(value: unknown): ParsedStripeEvent | undefined {
  if (!isRecord(value) || typeof value.id !== 'string' || typeof value.type !== 'string') return undefined;
  if (value.object === 'v2.core.event') {
    const related = isRecord(value.related_object) ? value.related_object : undefined;
    return {
      kind: 'thin',
      event: {
        id: value.id,
        type: value.type,
        relatedObjectId: typeof related?.id === 'string' ? related.id : undefined,
      },
    };
  }
  const data = isRecord(value.data) ? value.data : undefined;
  const object = isRecord(data?.object) ? data.object : undefined;
  // Without its creation time an event cannot be ordered against others, so it is not applied.
  const created =
    typeof value.created === 'number' && Number.isFinite(value.created) ? value.created : undefined;
  return {
    kind: 'snapshot',
    event: {
      id: value.id,
      type: value.type,
      created: created ?? 0,
      object:
        object && created !== undefined
          ? {
              id: typeof object.id === 'string' ? object.id : undefined,
              customerId: customerIdOf(object.customer),
            }
          : undefined,
    },
  };
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
  // An event without a usable object cannot change anything: it is only acknowledged.
  const status = event.object ? billingStatusAfter(event.type) : undefined;
  const customerId = event.object?.customerId;
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
          objectId: event.object?.id,
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
