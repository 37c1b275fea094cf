import { PageQuerySchema } from '#shared/api/common-schemas.ts';
import { presentDncEntry } from '#shared/campaigns/contact-presenter.ts';
import { listDncEntries } from '#shared/campaigns/dnc-store.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { cursorKey, parseQuery, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/dnc: the tenant's do-not-call list, by number. */
export const handler = httpHandler(
  async ({ request }) => {
    const query = parseQuery(request, PageQuerySchema);
    const page = await listDncEntries(dbFromEnv(), tenantIdOf(request), {
      ...query,
      signingKey: await cursorKey(),
    });
    return { status: 200, body: { items: page.items.map(presentDncEntry), nextCursor: page.nextCursor } };
  },
  { auth: 'apiKey' },
);
