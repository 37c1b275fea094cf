import { presentTenant } from '#shared/api/presenters.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { getTenant } from '#shared/data/tenants.ts';
import { NotFoundError } from '#shared/errors/app-error.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { pathId } from '../lib/route-helpers.ts';

/** GET /v1/tenants/{id} (platform admin). */
export const handler = httpHandler(
  async ({ request }) => {
    const tenant = await getTenant(dbFromEnv(), pathId(request, 'tenant', 'Tenant'));
    if (!tenant) throw new NotFoundError('Tenant not found.');
    return { status: 200, body: { tenant: presentTenant(tenant) } };
  },
  { auth: 'admin' },
);
