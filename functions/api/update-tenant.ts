import { presentTenant } from '#shared/api/presenters.ts';
import { UpdateTenantBodySchema } from '#shared/api/tenant-schemas.ts';
import { env } from '#shared/config/env.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { assertAllowedTargets } from '#shared/net/saved-targets.ts';
import { updateTenant } from '#shared/data/tenants.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseBody, pathId } from '../lib/route-helpers.ts';

/** PATCH /v1/tenants/{id} (platform admin): name, limits, webhook URL, Stripe customer. */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const tenantId = pathId(request, 'tenant', 'Tenant');
    const patch = parseBody(request, UpdateTenantBodySchema);
    assertAllowedTargets(patch, env().outboundPolicy);
    const tenant = await updateTenant(dbFromEnv(), tenantId, patch);
    logger.info('tenant updated', { tenantId, fields: Object.keys(patch) });
    return { status: 200, body: { tenant: presentTenant(tenant) } };
  },
  { auth: 'admin' },
);
