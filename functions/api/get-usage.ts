import { getMonthCounters } from '#shared/billing/usage-store.ts';
import { currentMonth, presentMonthUsage, UsageQuerySchema } from '#shared/billing/usage-presenter.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseQuery, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/usage?month=YYYY-MM: the month's totals and per-agent figures from pre-aggregated counters. */
export const handler = httpHandler(
  async ({ request }) => {
    const { month = currentMonth() } = parseQuery(request, UsageQuerySchema);
    const counters = await getMonthCounters(dbFromEnv(), tenantIdOf(request), month);
    return { status: 200, body: presentMonthUsage(month, counters) };
  },
  { auth: 'apiKey' },
);
