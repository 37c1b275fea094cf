import { CreateDncBodySchema } from '#shared/campaigns/campaign-schemas.ts';
import { presentDncEntry } from '#shared/campaigns/contact-presenter.ts';
import { addDncEntry, getDncEntry } from '#shared/campaigns/dnc-store.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseBody, tenantIdOf } from '../lib/route-helpers.ts';

/**
 * POST /v1/dnc: the number is never called by a campaign again (checked when contacts are added
 * and again right before each dial). 201 when new, 200 when it was already listed.
 */
export const handler = httpHandler(
  async ({ request }) => {
    const body = parseBody(request, CreateDncBodySchema);
    const db = dbFromEnv();
    const tenantId = tenantIdOf(request);
    const created = await addDncEntry(db, {
      tenantId,
      number: body.number,
      source: 'api',
      ...(body.reason ? { reason: body.reason } : {}),
      createdAt: new Date().toISOString(),
    });
    const entry = await getDncEntry(db, tenantId, body.number);
    return { status: created ? 201 : 200, body: { entry: entry ? presentDncEntry(entry) : undefined } };
  },
  { auth: 'apiKey' },
);
