import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.ts';
import { ConflictError, NotFoundError } from '../errors/app-error.ts';
import { addRoute, agentExistsCheck, removeRoute } from './agent-routes.ts';
import { cancellationReasons, isConditionFailure, translateDynamoError } from './dynamo-errors.ts';
import { keys } from './keys.ts';
import { getPhoneNumber, type PhoneNumber } from './phone-numbers.ts';

/**
 * Points a number at another agent. The tenant's number item and the platform-wide `PHONE#e164`
 * claim (what inbound calls are routed by) change in one transaction, so routing never disagrees
 * with what the API shows. The same transaction checks the new agent still exists and moves the
 * number's route from the old agent to it, so deleting the agent concurrently cannot succeed too
 * (NotFoundError for the agent). Returns undefined when the tenant has no such number.
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
              ConditionExpression: 'agentId = :previous',
              ExpressionAttributeValues: { ':agent': agentId, ':previous': existing.agentId },
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
          agentExistsCheck(db, tenantId, agentId),
          addRoute(db, tenantId, agentId, numberId),
          ...(existing.agentId === agentId ? [] : [removeRoute(db, tenantId, existing.agentId, numberId)]),
        ],
      }),
    );
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (reasons[2] === 'ConditionalCheckFailed')
      throw new NotFoundError('Agent not found.', { cause: error });
    if (isConditionFailure(error)) {
      // Deleted between the read and the write: the same answer as never having existed.
      if (!(await getPhoneNumber(db, tenantId, numberId))) return undefined;
      throw new ConflictError('The phone number was changed by another request; try again.', {
        cause: error,
      });
    }
    throw translateDynamoError(error);
  }
  return { ...existing, agentId };
}
