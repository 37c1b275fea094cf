import { listAuditEvents } from '#shared/data/audit-events.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { AuditQuerySchema } from '#shared/people/people-schemas.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { cursorKey, parseQuery, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/audit-events (owners, admins, admin keys): newest first, kept one year. */
export const handler = httpHandler(
  async ({ request }) => {
    const query = parseQuery(request, AuditQuerySchema);
    const page = await listAuditEvents(dbFromEnv(), tenantIdOf(request), {
      ...query,
      signingKey: await cursorKey(),
    });
    const items = page.items.map(({ tenantId: _tenantId, ...event }) => event);
    return { status: 200, body: { items, nextCursor: page.nextCursor } };
  },
  { auth: 'apiKey', scope: 'admin' },
);
