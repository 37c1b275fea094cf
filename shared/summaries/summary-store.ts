import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { counterUpdates, summaryUsageUpdate, type TransactItems } from '../billing/usage-store.ts';
import { COUNTERS, dimensionCounter, periodOf } from '../billing/usage-counters.ts';
import type { Call, CallSummary } from '../calls/call-types.ts';
import type { Db } from '../data/client.ts';
import {
  cancellationReasons,
  dynamo,
  isConditionFailure,
  translateDynamoError,
} from '../data/dynamo-errors.ts';
import { keys } from '../data/keys.ts';

export interface StoredSummaryUsage {
  inputTokens: number;
  outputTokens: number;
  costMicros: number;
  /** False for summaries written without the model: their QA score is not a score. */
  scored: boolean;
}

/**
 * Stores the summary on the call, its token usage on the call's usage record and the QA/sentiment
 * counters, in ONE transaction conditioned on the call having no summary yet: a summary is never
 * half-written and a redelivered event never counts twice (`stored: false`).
 */
export async function storeSummary(
  db: Db,
  call: Pick<Call, 'tenantId' | 'id' | 'agentId' | 'createdAt'>,
  summary: CallSummary,
  usage: StoredSummaryUsage,
  now = new Date(),
  /** Further writes that must happen exactly once with the summary (analytics counters). */
  extraItems: TransactItems = [],
): Promise<{ stored: boolean }> {
  const { month, day } = periodOf(call.createdAt);
  const scope = { tenantId: call.tenantId, agentId: call.agentId, callId: call.id, month, day };
  const deltas: Record<string, number> = {
    [COUNTERS.summarized]: 1,
    [COUNTERS.summaryInputTokens]: usage.inputTokens,
    [COUNTERS.summaryOutputTokens]: usage.outputTokens,
    [COUNTERS.summaryMicros]: usage.costMicros,
  };
  if (usage.scored) {
    deltas[COUNTERS.qaScored] = 1;
    deltas[COUNTERS.qaScoreSum] = summary.qaScore;
    deltas[dimensionCounter('sentiment', summary.sentiment)] = 1;
  }
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: db.tableName,
              Key: keys.call(call.tenantId, call.id),
              UpdateExpression: 'SET #summary = :summary, #summarizedAt = :now, #updatedAt = :now',
              ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#summary)',
              ExpressionAttributeNames: {
                '#summary': 'summary',
                '#summarizedAt': 'summarizedAt',
                '#updatedAt': 'updatedAt',
              },
              ExpressionAttributeValues: { ':summary': summary, ':now': now.toISOString() },
            },
          },
          summaryUsageUpdate(db, scope, {
            summaryInputTokens: usage.inputTokens,
            summaryOutputTokens: usage.outputTokens,
            summaryMicros: usage.costMicros,
          }),
          ...counterUpdates(db, scope, deltas),
          ...extraItems,
        ],
      }),
    );
    return { stored: true };
  } catch (error) {
    if (cancellationReasons(error)[0] === 'ConditionalCheckFailed') return { stored: false };
    throw translateDynamoError(error);
  }
}

const publishedKey = (callId: string) => keys.idempotency('summarized', callId);

/** Has `call.summarized` been published for this call? */
export async function wasSummaryPublished(db: Db, callId: string): Promise<boolean> {
  const out = await dynamo(() =>
    db.doc.send(new GetCommand({ TableName: db.tableName, Key: publishedKey(callId), ConsistentRead: true })),
  );
  return Boolean(out.Item);
}

export async function markSummaryPublished(
  db: Db,
  callId: string,
  eventId: string,
  now = new Date(),
): Promise<void> {
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...publishedKey(callId), type: 'idem', eventId, at: now.toISOString() },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw translateDynamoError(error);
  }
}

/** The same event id on every publish attempt, so a re-publish deduplicates at the webhook consumer. */
export const summarizedEventId = (callId: string) => `evt_summarized_${callId}`;
