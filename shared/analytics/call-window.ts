import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { usageRecordKey, type StoredUsageRecord } from '../billing/usage-store.ts';
import { periodOf } from '../billing/usage-counters.ts';
import type { Call } from '../calls/call-types.ts';
import type { Db } from '../data/client.ts';
import { dynamo } from '../data/dynamo-errors.ts';
import { tenantPk } from '../data/keys.ts';
import { stripKeys } from '../data/pagination.ts';
import { idBoundAt } from '../ids/ids.ts';

/**
 * A tenant's calls that started in `[fromMs, toMs)`, oldest first, page by page: call ids are
 * ULIDs, so the time window is a sort-key range of one Query on the tenant partition (never a
 * scan). `startKey` resumes after a page a previous run stopped at.
 */
export async function* callPagesInWindow(
  db: Db,
  tenantId: string,
  window: { fromMs: number; toMs: number; pageSize?: number; startKey?: Record<string, unknown> },
): AsyncGenerator<{ calls: Call[]; lastKey: Record<string, unknown> | undefined }> {
  let startKey = window.startKey;
  do {
    const out = await dynamo(() =>
      db.doc.send(
        new QueryCommand({
          TableName: db.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': tenantPk(tenantId),
            ':from': `CALL#${idBoundAt('call', window.fromMs, 'min')}`,
            ':to': `CALL#${idBoundAt('call', window.toMs - 1, 'max')}`,
          },
          Limit: window.pageSize ?? 500,
          ExclusiveStartKey: startKey,
        }),
      ),
    );
    const calls = (out.Items ?? [])
      .map((item) => stripKeys<Call>(item))
      .filter((call) => {
        const at = Date.parse(call.createdAt);
        return at >= window.fromMs && at < window.toMs;
      });
    startKey = out.LastEvaluatedKey;
    yield { calls, lastKey: startKey };
  } while (startKey);
}

/** The usage records of some calls (BatchGetItem, 100 keys a request), by call id. */
export async function usageRecordsOf(
  db: Db,
  calls: readonly Pick<Call, 'tenantId' | 'id' | 'createdAt'>[],
): Promise<Map<string, StoredUsageRecord>> {
  const out = new Map<string, StoredUsageRecord>();
  for (let i = 0; i < calls.length; i += 100) {
    let keys: Record<string, unknown>[] = calls
      .slice(i, i + 100)
      .map((call) => usageRecordKey(call.tenantId, periodOf(call.createdAt).month, call.id));
    for (let attempt = 0; keys.length > 0 && attempt < 8; attempt += 1) {
      const res = await dynamo(() =>
        db.doc.send(new BatchGetCommand({ RequestItems: { [db.tableName]: { Keys: keys } } })),
      );
      for (const item of res.Responses?.[db.tableName] ?? []) {
        const record = stripKeys<StoredUsageRecord>(item);
        if (item.metered) out.set(record.callId, record);
      }
      keys = (res.UnprocessedKeys?.[db.tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
      if (keys.length) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
    }
  }
  return out;
}
