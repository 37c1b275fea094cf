import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { EscalationPriority } from '../calls/call-types.ts';
import { newId } from '../ids/ids.ts';
import type { Db } from './client.ts';
import { dynamo } from './dynamo-errors.ts';
import { callPk, keys } from './keys.ts';
import { type Page, queryPage, stripKeys } from './pagination.ts';

/** A request for a human to look at a call, raised by the tenant's systems or staff. */
export interface CallEscalation {
  id: string;
  callId: string;
  tenantId: string;
  agentId: string;
  reason: string;
  priority: EscalationPriority;
  createdAt: string;
}

export async function createCallEscalation(
  db: Db,
  input: Omit<CallEscalation, 'id' | 'createdAt'> & { now?: Date },
): Promise<CallEscalation> {
  const now = input.now ?? new Date();
  const escalation: CallEscalation = {
    id: newId('escalation', now.getTime()),
    callId: input.callId,
    tenantId: input.tenantId,
    agentId: input.agentId,
    reason: input.reason,
    priority: input.priority,
    createdAt: now.toISOString(),
  };
  await dynamo(() =>
    db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...keys.escalation(escalation.callId, escalation.id), type: 'escalation', ...escalation },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  return escalation;
}

/** Removes an escalation whose announcement could not be published, so a retry starts clean. */
export async function deleteCallEscalation(db: Db, callId: string, escalationId: string): Promise<void> {
  await dynamo(() =>
    db.doc.send(new DeleteCommand({ TableName: db.tableName, Key: keys.escalation(callId, escalationId) })),
  );
}

/** A call's escalations, oldest first; the caller checked that the call belongs to the tenant. */
export function listCallEscalations(
  db: Db,
  callId: string,
  page: { limit: number; cursor?: string; signingKey: string },
): Promise<Page<CallEscalation>> {
  return queryPage(
    db,
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': callPk(callId), ':prefix': 'ESC#' },
      ScanIndexForward: true,
    },
    { ...page, scope: `escalations:${callId}` },
    (item) => stripKeys<CallEscalation>(item),
  );
}
