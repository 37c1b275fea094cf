import { PageQuerySchema } from '#shared/api/common-schemas.ts';
import { presentTenant } from '#shared/api/presenters.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { listTenants } from '#shared/data/tenants.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { cursorKey, parseQuery } from '../lib/route-helpers.ts';

/** GET /v1/tenants (platform admin), newest first. */
export const handler = httpHandler(
  async ({ request }) => {
    const query = parseQuery(request, PageQuerySchema);
    const page = await listTenants(dbFromEnv(), { ...query, signingKey: await cursorKey() });
    return { status: 200, body: { items: page.items.map(presentTenant), nextCursor: page.nextCursor } };
  },
  { auth: 'admin' },
);
