import type { Db } from './client.ts';
import { keys } from './keys.ts';

/**
 * Which numbers route calls to an agent, kept on an `AGENTROUTES#a` item beside the agent. Every
 * write that points a number at an agent checks the agent item exists and adds the number here in
 * the same transaction; deleting the agent requires this set to be empty in its transaction. So
 * routing a number and deleting its agent can never both succeed, however they interleave.
 */
type TransactItem = NonNullable<
  import('@aws-sdk/lib-dynamodb').TransactWriteCommandInput['TransactItems']
>[number];

/** Fails the transaction unless the agent exists (at this moment, not when it was read). */
export function agentExistsCheck(db: Db, tenantId: string, agentId: string): TransactItem {
  return {
    ConditionCheck: {
      TableName: db.tableName,
      Key: keys.agent(tenantId, agentId),
      ConditionExpression: 'attribute_exists(pk)',
    },
  };
}

export function addRoute(db: Db, tenantId: string, agentId: string, numberId: string): TransactItem {
  return {
    Update: {
      TableName: db.tableName,
      Key: keys.agentRoutes(tenantId, agentId),
      UpdateExpression: 'ADD numberIds :ids SET #type = :type',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: { ':ids': new Set([numberId]), ':type': 'agentRoutes' },
    },
  };
}

export function removeRoute(db: Db, tenantId: string, agentId: string, numberId: string): TransactItem {
  return {
    Update: {
      TableName: db.tableName,
      Key: keys.agentRoutes(tenantId, agentId),
      UpdateExpression: 'DELETE numberIds :ids',
      ExpressionAttributeValues: { ':ids': new Set([numberId]) },
    },
  };
}

/** Deletes the routes item, failing the transaction while any number still routes to the agent. */
export function noRoutesLeft(db: Db, tenantId: string, agentId: string): TransactItem {
  return {
    Delete: {
      TableName: db.tableName,
      Key: keys.agentRoutes(tenantId, agentId),
      // DynamoDB removes a set attribute when its last element is deleted.
      ConditionExpression: 'attribute_not_exists(numberIds)',
    },
  };
}
