import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { dynamo } from './dynamo-errors.ts';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
  /** Binds the cursor to one list (e.g. `calls:ten_…:status=completed`). */
  scope: string;
  signingKey: string;
}

/**
 * One page of a Query. With a FilterExpression a DynamoDB page can come back short or empty while
 * more items exist, so this keeps reading until it has `limit` items or the index is exhausted.
 */
export async function queryPage<T>(
  db: Db,
  input: Omit<QueryCommandInput, 'TableName' | 'Limit' | 'ExclusiveStartKey'>,
  page: PageRequest,
  map: (item: Record<string, unknown>) => T = (item) => item as T,
): Promise<Page<T>> {
  const items: T[] = [];
  let startKey = decodeCursor(page.cursor, page.scope, page.signingKey);
  let lastKey: Record<string, unknown> | undefined;
  do {
    const out = await dynamo(() =>
      db.doc.send(
        new QueryCommand({
          ...input,
          TableName: db.tableName,
          Limit: page.limit - items.length,
          ExclusiveStartKey: startKey,
        }),
      ),
    );
    for (const item of out.Items ?? []) items.push(map(item));
    lastKey = out.LastEvaluatedKey;
    startKey = lastKey;
  } while (lastKey && items.length < page.limit);
  return { items, nextCursor: encodeCursor(lastKey, page.scope, page.signingKey) };
}

/**
 * Every item a Query matches, following LastEvaluatedKey. Only for lists bounded by design (a
 * call's turns, a tenant's numbers, a month's counters); open-ended lists use `queryPage`.
 */
export async function queryAll(
  db: Db,
  input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await dynamo(() =>
      db.doc.send(new QueryCommand({ ...input, TableName: db.tableName, ExclusiveStartKey: startKey })),
    );
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** Removes key and index attributes before an item leaves the data layer. */
export function stripKeys<T>(item: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) {
    if (k === 'pk' || k === 'sk' || k === 'type' || k === 'expiresAt' || /^gsi\dpk$|^gsi\dsk$/.test(k))
      continue;
    out[k] = v;
  }
  return out as T;
}
