import { removeAgent } from '#shared/agents/agent-changes.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** DELETE /v1/agents/{id}: refused (409) while a phone number routes to the agent. */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const agentId = pathId(request, 'agent', 'Agent');
    await removeAgent(dbFromEnv(), tenantIdOf(request), agentId);
    logger.info('agent deleted', { agentId });
    return { status: 204 };
  },
  { auth: 'apiKey' },
);
