import { env } from '#shared/config/env.ts';
import { KnowledgeIndexCache } from '#shared/knowledge/index/index-cache.ts';
import { searchKnowledge } from '#shared/knowledge/index/search-knowledge.ts';
import { requireKnowledgeBase } from '#shared/knowledge/knowledge-operations.ts';
import { SearchBodySchema } from '#shared/knowledge/knowledge-schemas.ts';
import { knowledgeStorageFromEnv } from '#shared/knowledge/knowledge-storage.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { embedderFromEnv, knowledgeDepsFromEnv } from '../lib/knowledge-deps.ts';
import { parseBody, pathId, tenantIdOf } from '../lib/route-helpers.ts';

let cache: KnowledgeIndexCache | undefined;
const LAMBDA_OPEN_VERSIONS = 8;

/** POST /v1/knowledge-bases/{id}/search: what the agent's search_knowledge tool would see. */
export const handler = httpHandler(
  async ({ request }) => {
    const { db } = knowledgeDepsFromEnv();
    const tenantId = tenantIdOf(request);
    const kb = await requireKnowledgeBase(db, tenantId, pathId(request, 'knowledgeBase', 'Knowledge base'));
    const { query, topK } = parseBody(request, SearchBodySchema);
    if (kb.indexVersion === undefined) return { status: 200, body: { results: [] } };
    // Lambda's /tmp is 512 MB: a few versions of a large base (tens of MB each) are what fits.
    cache ??= new KnowledgeIndexCache({
      storage: knowledgeStorageFromEnv(),
      dir: env().KNOWLEDGE_CACHE_DIR,
      maxOpen: LAMBDA_OPEN_VERSIONS,
    });
    const hits = await searchKnowledge({
      cache,
      embed: embedderFromEnv(),
      pins: [{ tenantId, kbId: kb.id, version: kb.indexVersion }],
      query,
      topK,
    });
    return {
      status: 200,
      body: { results: hits.map(({ text, url, title, score }) => ({ text, url, title, score })) },
    };
  },
  { auth: 'apiKey' },
);
