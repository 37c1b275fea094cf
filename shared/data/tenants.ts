import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError } from '../errors/app-error.ts';
import { newId } from '../ids/ids.ts';
import type { Tenant, TenantBillingStatus, TenantLimits } from '../tenants/tenant-types.ts';
import type { Db } from './client.ts';
import { dynamo, isConditionFailure, translateDynamoError } from './dynamo-errors.ts';
import { keys } from './keys.ts';
import { type Page, queryPage, stripKeys } from './pagination.ts';
import { buildUpdate } from './update-expression.ts';

/** gsi1 partition of a tenant with a Stripe customer (the index is otherwise used by calls). */
export const stripeCustomerIndexPk = (customerId: string) => `STRIPECUSTOMER#${customerId}`;

/** gsi2 partition holding every tenant, sorted by id (ULID: creation order). */
const TENANT_LIST_PK = 'TENANTS';
const tenantListKeys = (tenantId: string) => ({ gsi2pk: TENANT_LIST_PK, gsi2sk: tenantId });

export async function createTenant(
  db: Db,
  input: { name: string; limits: TenantLimits; id?: string; now?: Date },
): Promise<Tenant> {
  const now = (input.now ?? new Date()).toISOString();
  const tenant: Tenant = {
    id: input.id ?? newId('tenant'),
    name: input.name,
    limits: input.limits,
    billingStatus: 'active',
    createdAt: now,
    updatedAt: now,
  };
  await dynamo(
    () =>
      db.doc.send(
        new PutCommand({
          TableName: db.tableName,
          Item: { ...keys.tenant(tenant.id), ...tenantListKeys(tenant.id), type: 'tenant', ...tenant },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    'The tenant already exists.',
  );
  return tenant;
}

export async function getTenant(db: Db, tenantId: string): Promise<Tenant | undefined> {
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({ TableName: db.tableName, Key: keys.tenant(tenantId), ConsistentRead: true }),
    ),
  );
  return out.Item ? stripKeys<Tenant>(out.Item) : undefined;
}

/** The platform's tenants, newest first (platform admin). */
export function listTenants(
  db: Db,
  page: { limit: number; cursor?: string; signingKey: string },
): Promise<Page<Tenant>> {
  return queryPage(
    db,
    {
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': TENANT_LIST_PK },
      ScanIndexForward: false,
    },
    { ...page, scope: 'tenants' },
    (item) => stripKeys<Tenant>(item),
  );
}

export interface TenantPatch {
  name?: string;
  limits?: Partial<TenantLimits>;
  billingStatus?: TenantBillingStatus;
  stripeCustomerId?: string;
  webhookUrl?: string | null;
  timezone?: string;
}

/** Applies a partial update; only the given fields change. 404 when the tenant does not exist. */
export async function updateTenant(
  db: Db,
  tenantId: string,
  patch: TenantPatch,
  now = new Date(),
): Promise<Tenant> {
  try {
    const out = await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.tenant(tenantId),
        ...buildUpdate({
          set: {
            updatedAt: now.toISOString(),
            name: patch.name,
            billingStatus: patch.billingStatus,
            timezone: patch.timezone,
            // Sparse index entry so Stripe webhooks find the tenant by customer id (see table.ts).
            ...(patch.stripeCustomerId !== undefined
              ? {
                  stripeCustomerId: patch.stripeCustomerId,
                  gsi1pk: stripeCustomerIndexPk(patch.stripeCustomerId),
                  gsi1sk: tenantId,
                }
              : {}),
            // Every write lists the tenant, so one created before the list existed joins it when patched.
            gsi2pk: TENANT_LIST_PK,
            gsi2sk: tenantId,
            webhookUrl: patch.webhookUrl ?? undefined,
          },
          setIn: {
            in: 'limits',
            values: {
              maxConcurrentCalls: patch.limits?.maxConcurrentCalls,
              requestsPerSecond: patch.limits?.requestsPerSecond,
            },
          },
          remove: patch.webhookUrl === null ? ['webhookUrl'] : [],
          condition: { expression: 'attribute_exists(pk)' },
        }),
        ReturnValues: 'ALL_NEW',
      }),
    );
    return stripKeys<Tenant>(out.Attributes ?? {});
  } catch (error) {
    if (isConditionFailure(error)) throw new NotFoundError('Tenant not found.');
    throw translateDynamoError(error);
  }
}
