import { PageQuerySchema } from '#shared/api/common-schemas.ts';
import { presentCampaign } from '#shared/campaigns/campaign-service.ts';
import { getContactCounts, listCampaigns } from '#shared/campaigns/campaign-store.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { cursorKey, parseQuery, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/campaigns, newest first, each with its live counts. */
export const handler = httpHandler(
  async ({ request }) => {
    const query = parseQuery(request, PageQuerySchema);
    const db = dbFromEnv();
    const page = await listCampaigns(db, tenantIdOf(request), { ...query, signingKey: await cursorKey() });
    const items = await Promise.all(
      page.items.map(async (campaign) => presentCampaign(campaign, await getContactCounts(db, campaign.id))),
    );
    return { status: 200, body: { items, nextCursor: page.nextCursor } };
  },
  { auth: 'apiKey' },
);
