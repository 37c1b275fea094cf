import { listUsageRecords } from '#shared/billing/usage-store.ts';
import { currentMonth, presentUsageRecord, UsageCallsQuerySchema } from '#shared/billing/usage-presenter.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { cursorKey, parseQuery, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/usage/calls?month=: the month's per-call usage records, in call order, paginated. */
export const handler = httpHandler(
  async ({ request }) => {
    const { month = currentMonth(), limit, cursor } = parseQuery(request, UsageCallsQuerySchema);
    const page = await listUsageRecords(dbFromEnv(), tenantIdOf(request), month, {
      limit,
      cursor,
      signingKey: await cursorKey(),
    });
    return { status: 200, body: { items: page.items.map(presentUsageRecord), nextCursor: page.nextCursor } };
  },
  { auth: 'apiKey' },
);
