import { AddContactsBodySchema, CONTACT_BATCH_MAX_BYTES } from '#shared/campaigns/campaign-schemas.ts';
import { requireCampaign } from '#shared/campaigns/campaign-service.ts';
import { addContacts } from '#shared/campaigns/contact-intake.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseBody, pathId, tenantIdOf } from '../lib/route-helpers.ts';

/**
 * POST /v1/campaigns/{id}/contacts: up to 1,000 contacts; each is checked on its own, the good
 * ones are stored and the others listed with why. Numbers on the do-not-call list are stored as
 * `skipped_dnc`.
 */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const body = parseBody(request, AddContactsBodySchema);
    const db = dbFromEnv();
    const campaign = await requireCampaign(db, tenantIdOf(request), pathId(request, 'campaign', 'Campaign'));
    const result = await addContacts(db, campaign, body.contacts);
    logger.info('campaign contacts added', {
      campaignId: campaign.id,
      accepted: result.accepted,
      rejected: result.rejected.length,
    });
    return { status: 200, body: result };
  },
  { auth: 'apiKey', maxBodyBytes: CONTACT_BATCH_MAX_BYTES },
);
