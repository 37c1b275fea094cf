import { AnalyticsRangeQuerySchema } from '#shared/analytics/analytics-query.ts';
import { analyticsSummary } from '#shared/analytics/analytics-service.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { cacheableJson } from '../lib/cacheable.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseQuery, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/analytics/summary: the range's totals, rates, QA, sentiment and latency percentiles. */
export const handler = httpHandler(
  async ({ request }) => {
    const query = parseQuery(request, AnalyticsRangeQuerySchema);
    const { body } = await analyticsSummary(
      {
        db: dbFromEnv(),
        tenantId: tenantIdOf(request),
        tenantTimeZone: request.auth?.tenantTimeZone ?? 'UTC',
      },
      query,
    );
    return cacheableJson(request, body);
  },
  { auth: 'apiKey' },
);
