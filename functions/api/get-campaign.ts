import { campaignView, requireCampaign } from '#shared/campaigns/campaign-service.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/campaigns/{id}: the campaign with live counts per contact state. */
export const handler = httpHandler(
  async ({ request }) => {
    const db = dbFromEnv();
    const campaign = await requireCampaign(db, tenantIdOf(request), pathId(request, 'campaign', 'Campaign'));
    return {
      status: 200,
      headers: { 'cache-control': 'no-store' },
      body: { campaign: await campaignView(db, campaign) },
    };
  },
  { auth: 'apiKey' },
);
