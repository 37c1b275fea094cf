import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Call, CallSummary } from '../calls/call-types.ts';
import type { Db } from '../data/client.ts';
import { dynamo } from '../data/dynamo-errors.ts';
import { tenantPk } from '../data/keys.ts';

/**
 * The QA index: one small item per scored call under `TENANT#t#QA`, sorted by score then call id
 * (`042#call_…`), so the lowest-scored calls of a range are the first matches of one ascending
 * Query (filtered on the call's start instant), never a scan of the calls.
 */
export const qaIndexPk = (tenantId: string) => `${tenantPk(tenantId)}#QA`;
export const qaIndexKey = (tenantId: string, score: number, callId: string) => ({
  pk: qaIndexPk(tenantId),
  sk: `${String(Math.round(Math.min(100, Math.max(0, score)))).padStart(3, '0')}#${callId}`,
});

export interface QaIndexEntry {
  callId: string;
  agentId: string;
  score: number;
  reasons: string[];
  /** The call's start (ISO). */
  at: string;
}

/** The index item for a call's summary (Put: writing it twice is harmless). */
export function qaIndexPut(
  db: Db,
  call: Pick<Call, 'tenantId' | 'id' | 'agentId' | 'createdAt'>,
  summary: Pick<CallSummary, 'qaScore' | 'qaReasons'>,
) {
  return {
    TableName: db.tableName,
    Item: {
      ...qaIndexKey(call.tenantId, summary.qaScore, call.id),
      type: 'qa',
      callId: call.id,
      agentId: call.agentId,
      score: summary.qaScore,
      reasons: summary.qaReasons.slice(0, 10).map((r) => r.slice(0, 500)),
      at: call.createdAt,
    },
  };
}

export async function putQaIndexEntry(
  db: Db,
  call: Parameters<typeof qaIndexPut>[1],
  summary: Parameters<typeof qaIndexPut>[2],
): Promise<void> {
  await dynamo(() => db.doc.send(new PutCommand(qaIndexPut(db, call, summary))));
}

/**
 * The `limit` lowest-scored calls that started in `[fromMs, toMs)`, lowest first. One Query page
 * (up to 1 MB of index items) normally holds them; further pages are read only for narrow ranges
 * in long histories. Returns the number of requests made, for the request budget.
 */
export async function lowestScoredCalls(
  db: Db,
  tenantId: string,
  range: { fromMs: number; toMs: number; agentId?: string; limit: number },
): Promise<{ entries: QaIndexEntry[]; requests: number }> {
  const entries: QaIndexEntry[] = [];
  let startKey: Record<string, unknown> | undefined;
  let requests = 0;
  const values: Record<string, unknown> = {
    ':pk': qaIndexPk(tenantId),
    ':from': new Date(range.fromMs).toISOString(),
    ':to': new Date(range.toMs - 1).toISOString(),
  };
  let filter = '#at BETWEEN :from AND :to';
  if (range.agentId) {
    filter += ' AND agentId = :agent';
    values[':agent'] = range.agentId;
  }
  do {
    const out = await dynamo(() =>
      db.doc.send(
        new QueryCommand({
          TableName: db.tableName,
          KeyConditionExpression: 'pk = :pk',
          FilterExpression: filter,
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: values,
          // Bounded pages: a range covering most of the history needs only the first few items.
          Limit: Math.max(200, range.limit * 10),
          ExclusiveStartKey: startKey,
        }),
      ),
    );
    requests += 1;
    for (const item of out.Items ?? []) {
      if (entries.length >= range.limit) break;
      entries.push({
        callId: String(item.callId),
        agentId: String(item.agentId),
        score: Number(item.score),
        reasons: (item.reasons as string[] | undefined) ?? [],
        at: String(item.at),
      });
    }
    startKey = out.LastEvaluatedKey;
  } while (startKey && entries.length < range.limit);
  return { entries, requests };
}
