import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { CallProvider } from '../calls/call-types.ts';
import { newId } from '../ids/ids.ts';
import type { Db } from './client.ts';
import { dynamo } from './dynamo-errors.ts';
import { keys, tenantPk } from './keys.ts';
import { type Page, queryPage, stripKeys } from './pagination.ts';

export interface PhoneNumber {
  id: string;
  tenantId: string;
  number: string;
  agentId: string;
  provider: Exclude<CallProvider, 'web'>;
  createdAt: string;
}

/**
 * Registers a number. A `PHONE#e164` claim item makes numbers unique across all tenants in the
 * same transaction: a number taken by anyone is a ConflictError.
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
  await dynamo(
    () =>
      db.doc.send(
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
          ],
        }),
      ),
    'That phone number is already registered.',
  );
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

export async function deletePhoneNumber(db: Db, tenantId: string, numberId: string): Promise<boolean> {
  const existing = await getPhoneNumber(db, tenantId, numberId);
  if (!existing) return false;
  await dynamo(() =>
    db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: db.tableName, Key: keys.phoneNumber(tenantId, numberId) } },
          {
            Delete: {
              TableName: db.tableName,
              Key: keys.phoneClaim(existing.number),
              ConditionExpression: 'tenantId = :t',
              ExpressionAttributeValues: { ':t': tenantId },
            },
          },
        ],
      }),
    ),
  );
  return true;
}
