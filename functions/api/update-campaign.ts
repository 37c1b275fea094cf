import { campaignView } from '#shared/campaigns/campaign-service.ts';
import { updateCampaign } from '#shared/campaigns/campaign-update.ts';
import { UpdateCampaignBodySchema } from '#shared/campaigns/campaign-update-schema.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseBody, pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** PATCH /v1/campaigns/{id}: a draft or paused campaign's settings; 409 once running or finished. */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const campaignId = pathId(request, 'campaign', 'Campaign');
    const patch = parseBody(request, UpdateCampaignBodySchema);
    const db = dbFromEnv();
    const campaign = await updateCampaign(db, tenantIdOf(request), campaignId, patch);
    logger.info('campaign updated', { campaignId, fields: Object.keys(patch) });
    return { status: 200, body: { campaign: await campaignView(db, campaign) } };
  },
  { auth: 'apiKey' },
);
