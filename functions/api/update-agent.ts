import { updateAgent } from '#shared/agents/agent-changes.ts';
import { UpdateAgentBodySchema } from '#shared/api/agent-schemas.ts';
import { presentAgent } from '#shared/api/presenters.ts';
import { env } from '#shared/config/env.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { assertAllowedTargets } from '#shared/net/saved-targets.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseBody, pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** PATCH /v1/agents/{id}: named fields change; `null` removes an optional one. */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const agentId = pathId(request, 'agent', 'Agent');
    const patch = parseBody(request, UpdateAgentBodySchema);
    assertAllowedTargets(patch, env().outboundPolicy);
    const agent = await updateAgent(dbFromEnv(), tenantIdOf(request), agentId, patch);
    logger.info('agent updated', { agentId, fields: Object.keys(patch) });
    return { status: 200, body: { agent: presentAgent(agent) } };
  },
  { auth: 'apiKey' },
);
