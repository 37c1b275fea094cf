import { QaQuerySchema } from '#shared/analytics/analytics-query.ts';
import { analyticsQa } from '#shared/analytics/analytics-service.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { cacheableJson } from '../lib/cacheable.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseQuery, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/analytics/qa: the QA score distribution and the lowest-scored calls of the range. */
export const handler = httpHandler(
  async ({ request }) => {
    const query = parseQuery(request, QaQuerySchema);
    const { body } = await analyticsQa(
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
