import { removeKnowledgeBase } from '#shared/knowledge/knowledge-operations.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { knowledgeDepsFromEnv } from '../lib/knowledge-deps.ts';
import { pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** DELETE /v1/knowledge-bases/{id}: gone at once; documents, chunks and index data are purged after. */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const kbId = pathId(request, 'knowledgeBase', 'Knowledge base');
    await removeKnowledgeBase(knowledgeDepsFromEnv(), tenantIdOf(request), kbId);
    logger.info('knowledge base deleted', { knowledgeBaseId: kbId });
    return { status: 204 };
  },
  { auth: 'apiKey' },
);
