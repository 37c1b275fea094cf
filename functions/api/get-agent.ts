import { requireAgent } from '#shared/agents/agent-changes.ts';
import { presentAgent } from '#shared/api/presenters.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/agents/{id} */
export const handler = httpHandler(
  async ({ request }) => {
    const agent = await requireAgent(dbFromEnv(), tenantIdOf(request), pathId(request, 'agent', 'Agent'));
    return { status: 200, body: { agent: presentAgent(agent) } };
  },
  { auth: 'apiKey' },
);
