import { onboardTenant } from '#shared/api/tenant-admin.ts';
import { CreateTenantBodySchema } from '#shared/api/tenant-schemas.ts';
import { env } from '#shared/config/env.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseBody } from '../lib/route-helpers.ts';

/** POST /v1/tenants (platform admin): a new account and its first admin key, shown once. */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const input = parseBody(request, CreateTenantBodySchema);
    const created = await onboardTenant(dbFromEnv(), input, {
      maxConcurrentCalls: env().DEFAULT_MAX_CONCURRENT_CALLS,
      requestsPerSecond: env().DEFAULT_REQUESTS_PER_SECOND,
    });
    logger.info('tenant created', { tenantId: created.tenant.id });
    return { status: 201, body: created };
  },
  { auth: 'admin' },
);
