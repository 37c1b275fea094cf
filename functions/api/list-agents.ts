import { PageQuerySchema } from '#shared/api/common-schemas.ts';
import { presentAgent } from '#shared/api/presenters.ts';
import { listAgents } from '#shared/data/agents.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { cursorKey, parseQuery, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/agents, newest first. */
export const handler = httpHandler(
  async ({ request }) => {
    const query = parseQuery(request, PageQuerySchema);
    const page = await listAgents(dbFromEnv(), tenantIdOf(request), {
      ...query,
      signingKey: await cursorKey(),
    });
    return { status: 200, body: { items: page.items.map(presentAgent), nextCursor: page.nextCursor } };
  },
  { auth: 'apiKey' },
);
