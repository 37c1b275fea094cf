import type { Db } from './client.ts';
import { tenantPk } from './keys.ts';
import { queryAll, stripKeys } from './pagination.ts';
import type { PhoneNumber } from './phone-numbers.ts';

/**
 * Every number of one tenant, oldest first: a query on the tenant's partition (a tenant has few
 * numbers), used to pick a caller id for an agent and to refuse deleting an agent still in use.
 */
export async function listAllTenantPhoneNumbers(db: Db, tenantId: string): Promise<PhoneNumber[]> {
  const items = await queryAll(db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':prefix': 'NUMBER#' },
    ConsistentRead: true,
  });
  return items.map((item) => stripKeys<PhoneNumber>(item));
}
