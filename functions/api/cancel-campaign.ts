import { campaignView, requireCampaign } from '#shared/campaigns/campaign-service.ts';
import { setCampaignStatus } from '#shared/campaigns/campaign-store.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** POST /v1/campaigns/{id}/cancel: no further calls, for good; live calls finish. */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const db = dbFromEnv();
    const campaign = await requireCampaign(db, tenantIdOf(request), pathId(request, 'campaign', 'Campaign'));
    const updated = await setCampaignStatus(db, campaign, 'canceled', new Date(), { endReason: 'canceled' });
    logger.info('campaign canceled', { campaignId: campaign.id });
    return { status: 200, body: { campaign: await campaignView(db, updated) } };
  },
  { auth: 'apiKey' },
);
