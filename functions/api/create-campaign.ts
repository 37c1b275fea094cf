import { CreateCampaignBodySchema } from '#shared/campaigns/campaign-schemas.ts';
import { campaignView, createDraftCampaign } from '#shared/campaigns/campaign-service.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseBody, tenantIdOf } from '../lib/route-helpers.ts';

/** POST /v1/campaigns: a draft campaign; add contacts, then start it. */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const body = parseBody(request, CreateCampaignBodySchema);
    const db = dbFromEnv();
    const campaign = await createDraftCampaign(db, tenantIdOf(request), body);
    logger.info('campaign created', { campaignId: campaign.id });
    return {
      status: 201,
      headers: { location: `/v1/campaigns/${campaign.id}` },
      body: { campaign: await campaignView(db, campaign) },
    };
  },
  { auth: 'apiKey' },
);
