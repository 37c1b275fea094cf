import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { newId } from '../ids/ids.ts';
import type { Db } from './client.ts';
import { dynamo } from './dynamo-errors.ts';
import { callPk, keys } from './keys.ts';
import { type Page, queryPage, stripKeys } from './pagination.ts';

/** A note a tenant's staff or systems attached to a call (CRM context, follow-ups). */
export interface CallNote {
  id: string;
  callId: string;
  tenantId: string;
  text: string;
  author?: string;
  createdAt: string;
}

export async function createCallNote(
  db: Db,
  input: { tenantId: string; callId: string; text: string; author?: string; now?: Date },
): Promise<CallNote> {
  const now = input.now ?? new Date();
  const note: CallNote = {
    id: newId('note', now.getTime()),
    callId: input.callId,
    tenantId: input.tenantId,
    text: input.text,
    ...(input.author !== undefined ? { author: input.author } : {}),
    createdAt: now.toISOString(),
  };
  await dynamo(() =>
    db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...keys.note(note.callId, note.id), type: 'note', ...note },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  return note;
}

/**
 * A call's notes in the order they were written (ids are ULIDs). The caller must have checked that
 * the call belongs to the tenant: the partition is the call's, and the cursor is bound to it.
 */
export function listCallNotes(
  db: Db,
  callId: string,
  page: { limit: number; cursor?: string; signingKey: string },
): Promise<Page<CallNote>> {
  return queryPage(
    db,
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': callPk(callId), ':prefix': 'NOTE#' },
      ScanIndexForward: true,
    },
    { ...page, scope: `notes:${callId}` },
    (item) => stripKeys<CallNote>(item),
  );
}
