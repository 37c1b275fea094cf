import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../data/client.ts';
import { dynamo } from '../data/dynamo-errors.ts';
import { UnavailableError } from '../errors/app-error.ts';
import { tenantPk } from '../data/keys.ts';
import { type Page, queryPage, stripKeys } from '../data/pagination.ts';
import { campaignKeys } from './campaign-keys.ts';

/** Where a do-not-call entry came from. */
export type DncSource = 'api' | 'import' | 'agent';

export interface DncEntry {
  tenantId: string;
  number: string;
  source: DncSource;
  reason?: string;
  /** The call in which the callee asked not to be called again (source `agent`). */
  callId?: string;
  createdAt: string;
}

/** Adds a number to the tenant's list; true when it was new (an existing entry is kept as is). */
export async function addDncEntry(db: Db, entry: DncEntry): Promise<boolean> {
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...campaignKeys.dnc(entry.tenantId, entry.number), type: 'dnc', ...entry },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

export async function getDncEntry(db: Db, tenantId: string, number: string): Promise<DncEntry | undefined> {
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({
        TableName: db.tableName,
        Key: campaignKeys.dnc(tenantId, number),
        ConsistentRead: true,
      }),
    ),
  );
  return out.Item ? stripKeys<DncEntry>(out.Item) : undefined;
}

/** True when the number was on the list (and is no longer). */
export async function removeDncEntry(db: Db, tenantId: string, number: string): Promise<boolean> {
  const out = await dynamo(() =>
    db.doc.send(
      new DeleteCommand({
        TableName: db.tableName,
        Key: campaignKeys.dnc(tenantId, number),
        ReturnValues: 'ALL_OLD',
      }),
    ),
  );
  return Boolean(out.Attributes);
}

/** Which of `numbers` are on the tenant's list: BatchGetItem, 100 keys a request. */
export async function numbersOnDnc(
  db: Db,
  tenantId: string,
  numbers: readonly string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  const unique = [...new Set(numbers)];
  for (let i = 0; i < unique.length; i += 100) {
    let keys: Record<string, unknown>[] | undefined = unique
      .slice(i, i + 100)
      .map((n) => campaignKeys.dnc(tenantId, n));
    for (let round = 0; keys && keys.length > 0 && round < 8; round++) {
      const out = await dynamo(() =>
        db.doc.send(
          new BatchGetCommand({
            RequestItems: {
              [db.tableName]: {
                Keys: keys as Record<string, unknown>[],
                ProjectionExpression: '#n',
                ExpressionAttributeNames: { '#n': 'number' },
              },
            },
          }),
        ),
      );
      for (const item of out.Responses?.[db.tableName] ?? []) found.add(String(item.number));
      keys = out.UnprocessedKeys?.[db.tableName]?.Keys;
      if (keys?.length) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** round));
    }
    if (keys?.length) throw new UnavailableError('The do-not-call list could not be read; try again.');
  }
  return found;
}

export function listDncEntries(
  db: Db,
  tenantId: string,
  page: { limit: number; cursor?: string; signingKey: string },
): Promise<Page<DncEntry>> {
  return queryPage(
    db,
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':prefix': 'DNC#' },
    },
    { ...page, scope: `dnc:${tenantId}` },
    (item) => stripKeys<DncEntry>(item),
  );
}
