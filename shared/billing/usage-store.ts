import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../data/client.ts';
import { cancellationReasons, dynamo, translateDynamoError } from '../data/dynamo-errors.ts';
import { keys, tenantPk } from '../data/keys.ts';
import { type Page, queryAll, queryPage, stripKeys } from '../data/pagination.ts';
import { buildUpdate } from '../data/update-expression.ts';
import { countersToAdd, statsBucket } from './usage-counters.ts';
import { type SummaryUsage, type UsageRecord, usageCounterDeltas } from './usage-record.ts';

/** `TENANT#t / USAGE#2026-11#call_…`: a month's records sort by call id, i.e. by start time. */
export const usageRecordKey = (tenantId: string, month: string, callId: string) => ({
  pk: tenantPk(tenantId),
  sk: `USAGE#${month}#${callId}`,
});

export const usageIdempotencyKey = (callId: string) => keys.idempotency('usage', callId);

export type TransactItems = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>;

/** The four ADD updates that feed the month/day buckets of the tenant and of the agent. */
export function counterUpdates(
  db: Db,
  scope: { tenantId: string; agentId: string; month: string; day: string },
  deltas: Record<string, number>,
): TransactItems {
  const add = countersToAdd(deltas);
  return [
    statsBucket.month(scope.month),
    statsBucket.monthAgent(scope.month, scope.agentId),
    statsBucket.day(scope.day),
    statsBucket.dayAgent(scope.day, scope.agentId),
  ].map((bucket) => ({
    Update: {
      TableName: db.tableName,
      Key: keys.stats(scope.tenantId, bucket),
      ...buildUpdate({ set: { type: 'stats', bucket }, add }),
    },
  }));
}

/**
 * Stores a call's usage record and adds it to the tenant's and agent's counters in ONE
 * transaction with the claim `IDEM#usage#<callId>`: either everything is written once, or (the
 * claim exists: a redelivered or repeated call.ended) nothing is, and `counted` is false.
 */
export async function recordUsage(
  db: Db,
  record: UsageRecord,
  /** Further counter updates that must count exactly once with this record (analytics). */
  extraItems: TransactItems = [],
): Promise<{ counted: boolean }> {
  const items: TransactItems = [
    {
      Put: {
        TableName: db.tableName,
        Item: {
          ...usageIdempotencyKey(record.callId),
          type: 'idem',
          tenantId: record.tenantId,
          at: record.meteredAt,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Update: {
        TableName: db.tableName,
        Key: usageRecordKey(record.tenantId, record.month, record.callId),
        // The record item may already hold the summary's fields: set them, never replace the item.
        ...buildUpdate({ set: { ...record, type: 'usage', metered: true } }),
      },
    },
    ...counterUpdates(db, record, usageCounterDeltas(record)),
    ...extraItems,
  ];
  try {
    await db.doc.send(new TransactWriteCommand({ TransactItems: items }));
    return { counted: true };
  } catch (error) {
    if (cancellationReasons(error)[0] === 'ConditionalCheckFailed') return { counted: false };
    throw translateDynamoError(error);
  }
}

/** The summary's token usage on the call's usage record (same key; creates it if usage is later). */
export function summaryUsageUpdate(
  db: Db,
  scope: { tenantId: string; agentId: string; callId: string; month: string; day: string },
  usage: SummaryUsage,
): TransactItems[number] {
  return {
    Update: {
      TableName: db.tableName,
      Key: usageRecordKey(scope.tenantId, scope.month, scope.callId),
      ...buildUpdate({
        set: {
          ...usage,
          callId: scope.callId,
          tenantId: scope.tenantId,
          agentId: scope.agentId,
          month: scope.month,
          day: scope.day,
          type: 'usage',
        },
      }),
    },
  };
}

export type StoredUsageRecord = UsageRecord &
  Partial<SummaryUsage> & { meterStatus?: MeterStatus; meterReportedAt?: string };

export type MeterStatus = 'reported' | 'no_customer' | 'nothing_to_bill';

export async function getUsageRecord(
  db: Db,
  tenantId: string,
  month: string,
  callId: string,
): Promise<StoredUsageRecord | undefined> {
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({
        TableName: db.tableName,
        Key: usageRecordKey(tenantId, month, callId),
        ConsistentRead: true,
      }),
    ),
  );
  return out.Item?.metered ? stripKeys<StoredUsageRecord>(out.Item) : undefined;
}

/** Remembers that the Stripe meter event was accepted (or that there was nothing to report). */
export async function markMeterStatus(
  db: Db,
  record: Pick<UsageRecord, 'tenantId' | 'month' | 'callId'>,
  status: MeterStatus,
  now = new Date(),
): Promise<void> {
  await dynamo(() =>
    db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: usageRecordKey(record.tenantId, record.month, record.callId),
        ...buildUpdate({
          set: { meterStatus: status, meterReportedAt: now.toISOString() },
          condition: { expression: 'attribute_exists(pk)' },
        }),
      }),
    ),
  );
}

export type Counters = Record<string, number>;

function countersOf(item: Record<string, unknown> | undefined): Counters {
  const out: Counters = {};
  for (const [k, v] of Object.entries(item ?? {})) if (typeof v === 'number') out[k] = v;
  return out;
}

/** A month's tenant counters and the per-agent counters: one GetItem and one Query. */
export async function getMonthCounters(
  db: Db,
  tenantId: string,
  month: string,
): Promise<{ totals: Counters; byAgent: { agentId: string; counters: Counters }[] }> {
  const totalOut = await dynamo(() =>
    db.doc.send(
      new GetCommand({
        TableName: db.tableName,
        Key: keys.stats(tenantId, statsBucket.month(month)),
        ConsistentRead: true,
      }),
    ),
  );
  const prefix = `STATS#${statsBucket.monthAgentPrefix(month)}`;
  const items = await queryAll(db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':prefix': prefix },
    ConsistentRead: true,
  });
  const byAgent = items.map((item) => ({
    agentId: String(item.sk).slice(prefix.length),
    counters: countersOf(item),
  }));
  return { totals: countersOf(totalOut.Item), byAgent };
}

/** A month's metered calls, oldest first, paginated with signed cursors. */
export function listUsageRecords(
  db: Db,
  tenantId: string,
  month: string,
  page: { limit: number; cursor?: string; signingKey: string },
): Promise<Page<StoredUsageRecord>> {
  return queryPage(
    db,
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      FilterExpression: 'metered = :true',
      ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':prefix': `USAGE#${month}#`, ':true': true },
    },
    { ...page, scope: `usage:${tenantId}:${month}` },
    (item) => stripKeys<StoredUsageRecord>(item),
  );
}

/**
 * Day counters for trends: the tenant's (or one agent's) days from `fromDay` to `toDay`
 * inclusive (`YYYY-MM-DD`), in date order; days without calls are absent. One Query on the
 * tenant partition: the sort-key range covers both tenant and agent day items, and the other
 * kind is dropped here.
 */
export async function listDayCounters(
  db: Db,
  tenantId: string,
  range: { fromDay: string; toDay: string; agentId?: string },
): Promise<{ day: string; counters: Counters }[]> {
  const items = await queryAll(db, {
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': tenantPk(tenantId),
      ':from': `STATS#${statsBucket.day(range.fromDay)}`,
      // '~' sorts after '#', so the last day's agent items are inside the range too.
      ':to': `STATS#${statsBucket.day(range.toDay)}~`,
    },
  });
  const days: { day: string; counters: Counters }[] = [];
  for (const item of items) {
    const bucket = String(item.sk).slice('STATS#'.length);
    const wanted = range.agentId
      ? statsBucket.dayAgent(bucket.slice(4, 14), range.agentId)
      : bucket.slice(0, 14);
    if (bucket === wanted) days.push({ day: bucket.slice(4, 14), counters: countersOf(item) });
  }
  return days;
}
