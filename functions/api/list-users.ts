import { PageQuerySchema } from '#shared/api/common-schemas.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { listUsers } from '#shared/data/users.ts';
import { presentUser } from '#shared/people/user-presenter.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { cursorKey, parseQuery, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/users: the tenant's team. */
export const handler = httpHandler(
  async ({ request }) => {
    const query = parseQuery(request, PageQuerySchema);
    const page = await listUsers(dbFromEnv(), tenantIdOf(request), {
      ...query,
      signingKey: await cursorKey(),
    });
    return { status: 200, body: { items: page.items.map(presentUser), nextCursor: page.nextCursor } };
  },
  { auth: 'apiKey' },
);
