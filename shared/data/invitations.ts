import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { newId } from '../ids/ids.ts';
import type { Role } from '../people/permissions.ts';
import type { Db } from './client.ts';
import { dynamo } from './dynamo-errors.ts';
import { keys, tenantPk } from './keys.ts';
import { hashToken, newLinkToken, ttlAfter } from './one-time-tokens.ts';
import { type Page, queryPage, stripKeys } from './pagination.ts';

export const INVITATION_TTL_MS = 72 * 3600_000;

export interface Invitation {
  id: string;
  tenantId: string;
  email: string;
  role: Role;
  /** Who invited: a user id, an API key id, or `platform-admin`. */
  invitedBy: string;
  createdAt: string;
  validUntil: string;
}

interface StoredInvitation extends Invitation {
  tokenHash: string;
}

/** Creates an invitation; the token is returned this once (only its hash is kept). */
export async function createInvitation(
  db: Db,
  input: { tenantId: string; email: string; role: Role; invitedBy: string; nowMs?: number },
): Promise<{ invitation: Invitation; token: string }> {
  const nowMs = input.nowMs ?? Date.now();
  const { token, hash } = newLinkToken('inv');
  const invitation: Invitation = {
    id: newId('invitation', nowMs),
    tenantId: input.tenantId,
    email: input.email,
    role: input.role,
    invitedBy: input.invitedBy,
    createdAt: new Date(nowMs).toISOString(),
    validUntil: new Date(nowMs + INVITATION_TTL_MS).toISOString(),
  };
  const expiresAt = ttlAfter(nowMs + INVITATION_TTL_MS);
  await dynamo(() =>
    db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: db.tableName,
              Item: {
                ...keys.invitation(input.tenantId, invitation.id),
                type: 'invitation',
                ...invitation,
                tokenHash: hash,
                expiresAt,
              },
            },
          },
          {
            Put: {
              TableName: db.tableName,
              Item: {
                ...keys.invitationHash(hash),
                type: 'invitationHash',
                tenantId: input.tenantId,
                invitationId: invitation.id,
                expiresAt,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    ),
  );
  return { invitation, token };
}

/** Pending invitations, newest first; expired ones are left out. */
export async function listInvitations(
  db: Db,
  tenantId: string,
  page: { limit: number; cursor?: string; signingKey: string; nowMs?: number },
): Promise<Page<Invitation>> {
  const now = new Date(page.nowMs ?? Date.now()).toISOString();
  return queryPage(
    db,
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      FilterExpression: 'validUntil > :now',
      ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':prefix': 'INVITE#', ':now': now },
      ScanIndexForward: false,
    },
    { ...page, scope: `invitations:${tenantId}` },
    (item) => {
      const { tokenHash: _hash, ...rest } = stripKeys<StoredInvitation>(item);
      return rest;
    },
  );
}

export async function getInvitation(
  db: Db,
  tenantId: string,
  invitationId: string,
): Promise<(Invitation & { tokenHash: string }) | undefined> {
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({
        TableName: db.tableName,
        Key: keys.invitation(tenantId, invitationId),
        ConsistentRead: true,
      }),
    ),
  );
  return out.Item ? stripKeys<StoredInvitation>(out.Item) : undefined;
}

/** The live invitation a token names, or undefined (unknown, used, revoked or expired). */
export async function findInvitationByToken(
  db: Db,
  token: string,
  nowMs = Date.now(),
): Promise<(Invitation & { tokenHash: string }) | undefined> {
  if (!/^inv_[\w-]{20,100}$/.test(token)) return undefined;
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({
        TableName: db.tableName,
        Key: keys.invitationHash(hashToken(token)),
        ConsistentRead: true,
      }),
    ),
  );
  if (!out.Item) return undefined;
  const invitation = await getInvitation(db, String(out.Item.tenantId), String(out.Item.invitationId));
  if (!invitation || Date.parse(invitation.validUntil) <= nowMs) return undefined;
  return invitation;
}

/**
 * Transaction items that consume an invitation: both items must still exist and be unexpired,
 * so two acceptances of one link cannot both succeed.
 */
export function consumeInvitationItems(
  db: Db,
  invitation: { tenantId: string; id: string; tokenHash: string },
  nowMs: number,
) {
  return [
    {
      Delete: {
        TableName: db.tableName,
        Key: keys.invitation(invitation.tenantId, invitation.id),
        ConditionExpression: 'attribute_exists(pk) AND validUntil > :now',
        ExpressionAttributeValues: { ':now': new Date(nowMs).toISOString() },
      },
    },
    {
      Delete: {
        TableName: db.tableName,
        Key: keys.invitationHash(invitation.tokenHash),
        ConditionExpression: 'attribute_exists(pk)',
      },
    },
  ];
}

/** Revokes an invitation; false when there was none. */
export async function deleteInvitation(db: Db, tenantId: string, invitationId: string): Promise<boolean> {
  const found = await getInvitation(db, tenantId, invitationId);
  if (!found) return false;
  await dynamo(() =>
    db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: db.tableName, Key: keys.invitation(tenantId, invitationId) } },
          { Delete: { TableName: db.tableName, Key: keys.invitationHash(found.tokenHash) } },
        ],
      }),
    ),
  );
  return true;
}
