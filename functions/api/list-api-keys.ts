import { PageQuerySchema } from '#shared/api/common-schemas.ts';
import { presentApiKey } from '#shared/api/presenters.ts';
import { listApiKeys } from '#shared/data/api-keys.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { cursorKey, parseQuery, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/api-keys: names, scopes and prefixes; never a secret. */
export const handler = httpHandler(
  async ({ request }) => {
    const query = parseQuery(request, PageQuerySchema);
    const page = await listApiKeys(dbFromEnv(), tenantIdOf(request), {
      ...query,
      signingKey: await cursorKey(),
    });
    return { status: 200, body: { items: page.items.map(presentApiKey), nextCursor: page.nextCursor } };
  },
  { auth: 'apiKey', scope: 'admin' },
);
