import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Call, CallSummary } from '../calls/call-types.ts';
import type { Db } from '../data/client.ts';
import { dynamo } from '../data/dynamo-errors.ts';
import { callPk } from '../data/keys.ts';
import type { Tenant } from '../tenants/tenant-types.ts';
import { endedCallDeltas, summaryDeltas } from './analytics-counters.ts';
import { analyticsCounterUpdates } from './analytics-writes.ts';
import { qaIndexPut } from './qa-index.ts';

export const DEFAULT_TIME_ZONE = 'UTC';

/** The tenant's analytics time zone (days and months of its buckets). */
export const timeZoneOf = (tenant: Pick<Tenant, 'timezone'> | undefined) =>
  tenant?.timezone || DEFAULT_TIME_ZONE;

/** How many escalations a call raised (a count-only Query on the call's partition). */
export async function countEscalations(db: Db, callId: string): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await dynamo(() =>
      db.doc.send(
        new QueryCommand({
          TableName: db.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': callPk(callId), ':prefix': 'ESC#' },
          Select: 'COUNT',
          ExclusiveStartKey: startKey,
        }),
      ),
    );
    count += out.Count ?? 0;
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return count;
}

/** Transaction items adding an ended call's analytics counters (for `recordUsage`). */
export function endedCallAnalyticsItems(
  db: Db,
  input: {
    call: Call;
    timeZone: string;
    connectedSeconds: number;
    billableSeconds: number;
    chargeMicros: number;
    escalations: number;
  },
) {
  const { call, timeZone, ...facts } = input;
  return analyticsCounterUpdates(
    db,
    { tenantId: call.tenantId, agentId: call.agentId, at: call.createdAt, timeZone },
    endedCallDeltas({ call, ...facts }),
  );
}

/** Transaction items adding a summary's QA/sentiment counters and its QA index entry (for `storeSummary`). */
export function summaryAnalyticsItems(
  db: Db,
  input: {
    call: Pick<Call, 'tenantId' | 'id' | 'agentId' | 'createdAt'>;
    summary: CallSummary;
    scored: boolean;
    timeZone: string;
  },
) {
  const { call, summary, scored, timeZone } = input;
  const items = analyticsCounterUpdates(
    db,
    { tenantId: call.tenantId, agentId: call.agentId, at: call.createdAt, timeZone },
    summaryDeltas(summary, scored),
  );
  if (scored) items.push({ Put: qaIndexPut(db, call, summary) });
  return items;
}
