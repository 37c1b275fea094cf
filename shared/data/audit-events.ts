import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { newId } from '../ids/ids.ts';
import type { Db } from './client.ts';
import { dynamo } from './dynamo-errors.ts';
import { keys } from './keys.ts';
import { type Page, queryPage, stripKeys } from './pagination.ts';

/** Audit events are kept one year (DynamoDB TTL). */
export const AUDIT_RETENTION_MS = 365 * 24 * 3600_000;

export interface AuditActor {
  type: 'user' | 'apiKey' | 'platformAdmin' | 'anonymous';
  /** User id or API key id. */
  id?: string;
  email?: string;
}

/** Who did what, to what, when and from where. */
export interface AuditEvent {
  id: string;
  tenantId: string;
  /** Stable dotted name: `auth.signed_in`, `user.role_changed`, `agent.updated`… */
  action: string;
  actor: AuditActor;
  target?: { type: string; id: string };
  outcome: 'success' | 'failure';
  sourceIp?: string;
  userAgent?: string;
  /** Small, non-secret facts (old and new role, failure reason). */
  details?: Record<string, string | number | boolean>;
  at: string;
}

export async function recordAuditEvent(
  db: Db,
  input: Omit<AuditEvent, 'id' | 'at'> & { nowMs?: number },
): Promise<AuditEvent> {
  const nowMs = input.nowMs ?? Date.now();
  const { nowMs: _ignored, ...rest } = input;
  const event: AuditEvent = {
    ...rest,
    userAgent: rest.userAgent?.slice(0, 256),
    id: newId('auditEvent', nowMs),
    at: new Date(nowMs).toISOString(),
  };
  await dynamo(() =>
    db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: {
          ...keys.auditEvent(event.tenantId, event.id),
          type: 'auditEvent',
          ...event,
          expiresAt: Math.floor((nowMs + AUDIT_RETENTION_MS) / 1000),
        },
      }),
    ),
  );
  return event;
}

/** A tenant's audit events, newest first. */
export function listAuditEvents(
  db: Db,
  tenantId: string,
  page: { limit: number; cursor?: string; signingKey: string; action?: string },
): Promise<Page<AuditEvent>> {
  return queryPage(
    db,
    {
      KeyConditionExpression: 'pk = :pk',
      ...(page.action
        ? { FilterExpression: '#action = :action', ExpressionAttributeNames: { '#action': 'action' } }
        : {}),
      ExpressionAttributeValues: {
        ':pk': keys.auditEvent(tenantId, '').pk,
        ...(page.action ? { ':action': page.action } : {}),
      },
      ScanIndexForward: false,
    },
    {
      limit: page.limit,
      cursor: page.cursor,
      signingKey: page.signingKey,
      scope: `audit:${tenantId}:${page.action ?? ''}`,
    },
    (item) => stripKeys<AuditEvent>(item),
  );
}
