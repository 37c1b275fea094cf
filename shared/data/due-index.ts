import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.ts';
import { dynamo } from './dynamo-errors.ts';
import type { ItemKey } from './keys.ts';
import { CALL_INDEX } from './table.ts';

/**
 * Work the sweeper finds through gsi1: overdue stream watches, deferred call events,
 * recordings whose media task stopped renewing their lease, calls let go that nobody resumed
 * (`owner`: the call-owner item itself carries the attributes) and media tasks that stopped
 * beating (`task`: the task's heartbeat item; its calls are then found on its own list).
 */
export type DueKind = 'stream' | 'outbox' | 'recording' | 'owner' | 'task';

/** Sorts after every id character, so `{now}#~` bounds every item due at or before `now`. */
const UPPER = '~';

/** gsi1 attributes that put an item on the `kind` work list, due at `dueAt`. */
export function dueIndexAttributes(kind: DueKind, dueAt: Date, id: string) {
  return { gsi1pk: `DUE#${kind}`, gsi1sk: `${dueAt.toISOString()}#${id}` };
}

/** Items of `kind` due at or before `now`, oldest first: one Query on gsi1, never a scan. */
export async function listDue(
  db: Db,
  kind: DueKind,
  now: Date,
  limit: number,
): Promise<Record<string, unknown>[]> {
  const out = await dynamo(() =>
    db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        IndexName: CALL_INDEX.byStatus,
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :upper',
        ExpressionAttributeValues: { ':pk': `DUE#${kind}`, ':upper': `${now.toISOString()}#${UPPER}` },
        Limit: limit,
      }),
    ),
  );
  return out.Items ?? [];
}

/** Removes a handled work item (deleting one already gone is fine: sweeps may overlap). */
export async function deleteDue(db: Db, key: ItemKey): Promise<void> {
  await dynamo(() => db.doc.send(new DeleteCommand({ TableName: db.tableName, Key: key })));
}
