import { requireCall } from '#shared/calls/call-deps.ts';
import { PageQuerySchema } from '#shared/api/common-schemas.ts';
import { presentEscalation } from '#shared/api/presenters.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { listCallEscalations } from '#shared/data/escalations.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { cursorKey, parseQuery, pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/calls/{id}/escalations, oldest first. */
export const handler = httpHandler(
  async ({ request }) => {
    const db = dbFromEnv();
    const query = parseQuery(request, PageQuerySchema);
    const call = await requireCall(db, tenantIdOf(request), pathId(request, 'call', 'Call'));
    const page = await listCallEscalations(db, call.id, { ...query, signingKey: await cursorKey() });
    return { status: 200, body: { items: page.items.map(presentEscalation), nextCursor: page.nextCursor } };
  },
  { auth: 'apiKey' },
);
