import type { z } from 'zod';
import { createApiKey } from '../data/api-keys.ts';
import type { Db } from '../data/client.ts';
import { createTenant } from '../data/tenants.ts';
import type { TenantLimits } from './tenant-types.ts';
import type { CreatedApiKeySchema } from '../api/api-key-schemas.ts';
import type { CreateTenantBodySchema, TenantSchema } from '../api/tenant-schemas.ts';
import { presentApiKey, presentTenant } from '../api/presenters.ts';

/**
 * Onboards a tenant: the account with its limits (platform defaults for omitted ones) and a first
 * admin-scoped key, whose secret is returned this once.
 */
export async function onboardTenant(
  db: Db,
  input: z.output<typeof CreateTenantBodySchema>,
  defaults: TenantLimits,
): Promise<{ tenant: z.output<typeof TenantSchema>; apiKey: z.output<typeof CreatedApiKeySchema> }> {
  const tenant = await createTenant(db, {
    name: input.name,
    limits: {
      maxConcurrentCalls: input.limits?.maxConcurrentCalls ?? defaults.maxConcurrentCalls,
      requestsPerSecond: input.limits?.requestsPerSecond ?? defaults.requestsPerSecond,
    },
  });
  const { key, secret } = await createApiKey(db, { tenantId: tenant.id, name: 'admin', scopes: ['admin'] });
  return { tenant: presentTenant(tenant), apiKey: { ...presentApiKey(key), secret } };
}
