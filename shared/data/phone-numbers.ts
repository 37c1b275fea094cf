import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { PhoneProvider } from '../calls/providers.ts';
import { newId } from '../ids/ids.ts';
import type { Db } from './client.ts';
import { ConflictError, NotFoundError } from '../errors/app-error.ts';
import { addRoute, agentExistsCheck, removeRoute } from './agent-routes.ts';
import { cancellationReasons, dynamo, isConditionFailure, translateDynamoError } from './dynamo-errors.ts';
import { keys, tenantPk } from './keys.ts';
import { type Page, queryPage, stripKeys } from './pagination.ts';

export interface PhoneNumber {
  id: string;
  tenantId: string;
  number: string;
  agentId: string;
  provider: PhoneProvider;
  createdAt: string;
}

/**
 * Registers a number. A `PHONE#e164` claim item makes numbers unique across all tenants in the
 * same transaction: a number taken by anyone is a ConflictError. The same transaction checks the
 * agent still exists and records the route on it, so a concurrent agent deletion cannot leave the
 * number routed to nothing (NotFoundError for the agent instead).
 */
export async function createPhoneNumber(
  db: Db,
  input: { tenantId: string; number: string; agentId: string; provider: PhoneNumber['provider']; now?: Date },
): Promise<PhoneNumber> {
  const phone: PhoneNumber = {
    id: newId('phoneNumber'),
    tenantId: input.tenantId,
    number: input.number,
    agentId: input.agentId,
    provider: input.provider,
    createdAt: (input.now ?? new Date()).toISOString(),
  };
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: db.tableName,
              Item: { ...keys.phoneClaim(phone.number), type: 'phoneClaim', ...phone },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: db.tableName,
              Item: { ...keys.phoneNumber(phone.tenantId, phone.id), type: 'phoneNumber', ...phone },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          agentExistsCheck(db, phone.tenantId, phone.agentId),
          addRoute(db, phone.tenantId, phone.agentId, phone.id),
        ],
      }),
    );
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (reasons[2] === 'ConditionalCheckFailed')
      throw new NotFoundError('Agent not found.', { cause: error });
    if (isConditionFailure(error))
      throw new ConflictError('That phone number is already registered.', { cause: error });
    throw translateDynamoError(error);
  }
  return phone;
}

/** Which tenant and agent answer calls to `e164`: the inbound-call lookup. */
export async function findPhoneNumber(db: Db, e164: string): Promise<PhoneNumber | undefined> {
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({ TableName: db.tableName, Key: keys.phoneClaim(e164), ConsistentRead: true }),
    ),
  );
  return out.Item ? stripKeys<PhoneNumber>(out.Item) : undefined;
}

export async function getPhoneNumber(
  db: Db,
  tenantId: string,
  numberId: string,
): Promise<PhoneNumber | undefined> {
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({
        TableName: db.tableName,
        Key: keys.phoneNumber(tenantId, numberId),
        ConsistentRead: true,
      }),
    ),
  );
  return out.Item ? stripKeys<PhoneNumber>(out.Item) : undefined;
}

export function listPhoneNumbers(
  db: Db,
  tenantId: string,
  page: { limit: number; cursor?: string; signingKey: string },
): Promise<Page<PhoneNumber>> {
  return queryPage(
    db,
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':prefix': 'NUMBER#' },
      ScanIndexForward: false,
    },
    { ...page, scope: `phone-numbers:${tenantId}` },
    (item) => stripKeys<PhoneNumber>(item),
  );
}

/**
 * Deletes a number, its claim and its route on the agent in one transaction, guarded by the agent
 * it was read with (a concurrent remap makes it read again).
 */
export async function deletePhoneNumber(db: Db, tenantId: string, numberId: string): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    const existing = await getPhoneNumber(db, tenantId, numberId);
    if (!existing) return false;
    try {
      await db.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: db.tableName,
                Key: keys.phoneNumber(tenantId, numberId),
                ConditionExpression: 'agentId = :agent',
                ExpressionAttributeValues: { ':agent': existing.agentId },
              },
            },
            {
              Delete: {
                TableName: db.tableName,
                Key: keys.phoneClaim(existing.number),
                ConditionExpression: 'tenantId = :t',
                ExpressionAttributeValues: { ':t': tenantId },
              },
            },
            removeRoute(db, tenantId, existing.agentId, numberId),
          ],
        }),
      );
      return true;
    } catch (error) {
      if (attempt < 2 && cancellationReasons(error)[0] === 'ConditionalCheckFailed') continue;
      throw translateDynamoError(error, 'The phone number changed during the request; try again.');
    }
  }
}
