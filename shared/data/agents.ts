import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Agent } from '../agents/agent-schema.ts';
import { newId } from '../ids/ids.ts';
import type { Db } from './client.ts';
import { noRoutesLeft } from './agent-routes.ts';
import { cancellationReasons, dynamo, translateDynamoError } from './dynamo-errors.ts';
import { keys, tenantPk } from './keys.ts';
import { type Page, queryPage, stripKeys } from './pagination.ts';

export type AgentFields = Omit<Agent, 'id' | 'tenantId' | 'createdAt' | 'updatedAt'>;

export async function createAgent(
  db: Db,
  tenantId: string,
  fields: AgentFields,
  now = new Date(),
): Promise<Agent> {
  const agent: Agent = {
    ...fields,
    id: newId('agent', now.getTime()),
    tenantId,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await dynamo(() =>
    db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...keys.agent(tenantId, agent.id), type: 'agent', ...agent },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  return agent;
}

export async function getAgent(db: Db, tenantId: string, agentId: string): Promise<Agent | undefined> {
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({ TableName: db.tableName, Key: keys.agent(tenantId, agentId), ConsistentRead: true }),
    ),
  );
  return out.Item ? stripKeys<Agent>(out.Item) : undefined;
}

/** Newest first. */
export function listAgents(
  db: Db,
  tenantId: string,
  page: { limit: number; cursor?: string; signingKey: string },
): Promise<Page<Agent>> {
  return queryPage(
    db,
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':prefix': 'AGENT#' },
      ScanIndexForward: false,
    },
    { ...page, scope: `agents:${tenantId}` },
    (item) => stripKeys<Agent>(item),
  );
}

/**
 * Replaces an agent with `next` (the caller merged the patch), guarded by `updatedAt` so two
 * concurrent patches cannot silently overwrite each other: the loser gets a ConflictError.
 */
export async function replaceAgent(
  db: Db,
  current: Agent,
  next: AgentFields,
  now = new Date(),
): Promise<Agent> {
  const agent: Agent = {
    ...next,
    id: current.id,
    tenantId: current.tenantId,
    createdAt: current.createdAt,
    updatedAt: now.toISOString(),
  };
  await dynamo(
    () =>
      db.doc.send(
        new PutCommand({
          TableName: db.tableName,
          Item: { ...keys.agent(agent.tenantId, agent.id), type: 'agent', ...agent },
          ConditionExpression: 'updatedAt = :seen',
          ExpressionAttributeValues: { ':seen': current.updatedAt },
        }),
      ),
    'The agent was changed by another request; fetch it and try again.',
  );
  return agent;
}

/**
 * Deletes an agent unless a number routes to it, decided in one transaction with its routes item.
 * `not_found` when there is no such agent, `in_use` when a number routes to it.
 */
export async function deleteAgent(
  db: Db,
  tenantId: string,
  agentId: string,
): Promise<'deleted' | 'not_found' | 'in_use'> {
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Delete: {
              TableName: db.tableName,
              Key: keys.agent(tenantId, agentId),
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
          noRoutesLeft(db, tenantId, agentId),
        ],
      }),
    );
    return 'deleted';
  } catch (error) {
    const [agent, routes] = cancellationReasons(error);
    if (agent === 'ConditionalCheckFailed') return 'not_found';
    if (routes === 'ConditionalCheckFailed') return 'in_use';
    throw translateDynamoError(error);
  }
}
