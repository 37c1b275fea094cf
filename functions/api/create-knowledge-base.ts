import {
  createKnowledgeBaseWithUploads,
  presentKnowledgeBase,
} from '#shared/knowledge/knowledge-operations.ts';
import { CreateKnowledgeBaseBodySchema } from '#shared/knowledge/knowledge-schemas.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { knowledgeDepsFromEnv } from '../lib/knowledge-deps.ts';
import { parseBody, tenantIdOf } from '../lib/route-helpers.ts';

/** POST /v1/knowledge-bases: file sources come back with presigned upload URLs. */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const body = parseBody(request, CreateKnowledgeBaseBodySchema);
    const { kb, uploads } = await createKnowledgeBaseWithUploads(
      knowledgeDepsFromEnv(),
      tenantIdOf(request),
      body,
    );
    logger.info('knowledge base created', { knowledgeBaseId: kb.id, sources: kb.sources.length });
    return { status: 201, body: { knowledgeBase: presentKnowledgeBase(kb), uploads } };
  },
  { auth: 'apiKey' },
);
