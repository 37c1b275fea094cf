import { TimeseriesQuerySchema } from '#shared/analytics/analytics-query.ts';
import { analyticsTimeseries } from '#shared/analytics/analytics-service.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { cacheableJson } from '../lib/cacheable.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseQuery, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/analytics/timeseries: one metric per hour, day, week or month, zero-filled. */
export const handler = httpHandler(
  async ({ request }) => {
    const query = parseQuery(request, TimeseriesQuerySchema);
    const { body } = await analyticsTimeseries(
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
