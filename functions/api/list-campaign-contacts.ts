import { ListContactsQuerySchema } from '#shared/campaigns/campaign-schemas.ts';
import { requireCampaign } from '#shared/campaigns/campaign-service.ts';
import { presentContact } from '#shared/campaigns/contact-presenter.ts';
import { listContacts } from '#shared/campaigns/contact-store.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { cursorKey, parseQuery, pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/campaigns/{id}/contacts?state=: a page of contacts, all or one state's. */
export const handler = httpHandler(
  async ({ request }) => {
    const query = parseQuery(request, ListContactsQuerySchema);
    const db = dbFromEnv();
    const campaign = await requireCampaign(db, tenantIdOf(request), pathId(request, 'campaign', 'Campaign'));
    const page = await listContacts(db, campaign.id, query.state, {
      limit: query.limit,
      cursor: query.cursor,
      signingKey: await cursorKey(),
    });
    return { status: 200, body: { items: page.items.map(presentContact), nextCursor: page.nextCursor } };
  },
  { auth: 'apiKey' },
);
