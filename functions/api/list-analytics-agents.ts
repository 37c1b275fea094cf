import { AgentsQuerySchema } from '#shared/analytics/analytics-query.ts';
import { analyticsAgents } from '#shared/analytics/analytics-service.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { cacheableJson } from '../lib/cacheable.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseQuery, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/analytics/agents: one row per agent for the range, sortable. */
export const handler = httpHandler(
  async ({ request }) => {
    const query = parseQuery(request, AgentsQuerySchema);
    const { body } = await analyticsAgents(
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
