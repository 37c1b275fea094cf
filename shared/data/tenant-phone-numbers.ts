import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.ts';
import { dynamo } from './dynamo-errors.ts';
import { tenantPk } from './keys.ts';
import { stripKeys } from './pagination.ts';
import type { PhoneNumber } from './phone-numbers.ts';

/**
 * Every number of one tenant, oldest first: a query on the tenant's partition (a tenant has few
 * numbers), used to pick a caller id for an agent and to refuse deleting an agent still in use.
 */
export async function listAllTenantPhoneNumbers(db: Db, tenantId: string): Promise<PhoneNumber[]> {
  const numbers: PhoneNumber[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await dynamo(() =>
      db.doc.send(
        new QueryCommand({
          TableName: db.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':prefix': 'NUMBER#' },
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      ),
    );
    for (const item of out.Items ?? []) numbers.push(stripKeys<PhoneNumber>(item));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return numbers;
}
