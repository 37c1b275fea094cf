import { ListCallsQuerySchema } from '#shared/api/call-schemas.ts';
import { presentCall } from '#shared/api/presenters.ts';
import { listCalls } from '#shared/data/call-list.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { cursorKey, parseQuery, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/calls: newest first, filtered through the call indexes (no scans). */
export const handler = httpHandler(
  async ({ request }) => {
    const { limit, cursor, since, until, ...filters } = parseQuery(request, ListCallsQuerySchema);
    const page = await listCalls(
      dbFromEnv(),
      tenantIdOf(request),
      {
        ...filters,
        since: since ? new Date(since) : undefined,
        until: until ? new Date(until) : undefined,
      },
      { limit, cursor, signingKey: await cursorKey() },
    );
    return { status: 200, body: { items: page.items.map(presentCall), nextCursor: page.nextCursor } };
  },
  { auth: 'apiKey' },
);
