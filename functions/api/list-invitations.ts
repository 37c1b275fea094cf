import { PageQuerySchema } from '#shared/api/common-schemas.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { listInvitations } from '#shared/data/invitations.ts';
import { presentInvitation } from '#shared/people/invitations-flow.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { cursorKey, parseQuery, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/invitations: pending (unused, unexpired) invitations, newest first; never a token. */
export const handler = httpHandler(
  async ({ request }) => {
    const query = parseQuery(request, PageQuerySchema);
    const page = await listInvitations(dbFromEnv(), tenantIdOf(request), {
      ...query,
      signingKey: await cursorKey(),
    });
    return { status: 200, body: { items: page.items.map(presentInvitation), nextCursor: page.nextCursor } };
  },
  { auth: 'apiKey', scope: 'admin' },
);
