import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.ts';
import { isConditionFailure, translateDynamoError } from './dynamo-errors.ts';
import { keys } from './keys.ts';
import { getPhoneNumber, type PhoneNumber } from './phone-numbers.ts';

/**
 * Points a number at another agent. The tenant's number item and the platform-wide `PHONE#e164`
 * claim (what inbound calls are routed by) change in one transaction, so routing never disagrees
 * with what the API shows. Returns undefined when the tenant has no such number.
 */
export async function remapPhoneNumber(
  db: Db,
  tenantId: string,
  numberId: string,
  agentId: string,
): Promise<PhoneNumber | undefined> {
  const existing = await getPhoneNumber(db, tenantId, numberId);
  if (!existing) return undefined;
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: db.tableName,
              Key: keys.phoneNumber(tenantId, numberId),
              UpdateExpression: 'SET agentId = :agent',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':agent': agentId },
            },
          },
          {
            Update: {
              TableName: db.tableName,
              Key: keys.phoneClaim(existing.number),
              UpdateExpression: 'SET agentId = :agent',
              ConditionExpression: 'tenantId = :tenant AND id = :id',
              ExpressionAttributeValues: { ':agent': agentId, ':tenant': tenantId, ':id': numberId },
            },
          },
        ],
      }),
    );
  } catch (error) {
    // Deleted between the read and the write: the same answer as never having existed.
    if (isConditionFailure(error)) return undefined;
    throw translateDynamoError(error);
  }
  return { ...existing, agentId };
}
