import { presentKnowledgeBase, updateKnowledgeBase } from '#shared/knowledge/knowledge-operations.ts';
import { UpdateKnowledgeBaseBodySchema } from '#shared/knowledge/knowledge-schemas.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { knowledgeDepsFromEnv } from '../lib/knowledge-deps.ts';
import { parseBody, pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** PATCH /v1/knowledge-bases/{id}: `sources` replaces the list (unchanged sources keep their ids). */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const kbId = pathId(request, 'knowledgeBase', 'Knowledge base');
    const patch = parseBody(request, UpdateKnowledgeBaseBodySchema);
    const { kb, uploads } = await updateKnowledgeBase(
      knowledgeDepsFromEnv(),
      tenantIdOf(request),
      kbId,
      patch,
    );
    logger.info('knowledge base updated', { knowledgeBaseId: kbId, fields: Object.keys(patch) });
    return { status: 200, body: { knowledgeBase: presentKnowledgeBase(kb), uploads } };
  },
  { auth: 'apiKey' },
);
