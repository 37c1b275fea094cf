import { CreateAgentBodySchema } from '#shared/api/agent-schemas.ts';
import { presentAgent } from '#shared/api/presenters.ts';
import { createAgent } from '#shared/data/agents.ts';
import { env } from '#shared/config/env.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { assertAllowedTargets } from '#shared/net/saved-targets.ts';
import { checkAgentKnowledgeBases } from '#shared/knowledge/agent-knowledge.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseBody, tenantIdOf } from '../lib/route-helpers.ts';

/** POST /v1/agents */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const fields = parseBody(request, CreateAgentBodySchema);
    assertAllowedTargets(fields, env().outboundPolicy);
    await checkAgentKnowledgeBases(dbFromEnv(), tenantIdOf(request), fields.knowledgeBaseIds);
    const agent = await createAgent(dbFromEnv(), tenantIdOf(request), fields);
    logger.info('agent created', { agentId: agent.id });
    return { status: 201, body: { agent: presentAgent(agent) } };
  },
  { auth: 'apiKey' },
);
