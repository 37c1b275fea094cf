import { PageQuerySchema } from '#shared/api/common-schemas.ts';
import { listDocumentsPage } from '#shared/knowledge/document-store.ts';
import { requireKnowledgeBase } from '#shared/knowledge/knowledge-operations.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { knowledgeDepsFromEnv } from '../lib/knowledge-deps.ts';
import { cursorKey, parseQuery, pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/knowledge-bases/{id}/documents */
export const handler = httpHandler(
  async ({ request }) => {
    const { db } = knowledgeDepsFromEnv();
    const kbId = pathId(request, 'knowledgeBase', 'Knowledge base');
    await requireKnowledgeBase(db, tenantIdOf(request), kbId);
    const query = parseQuery(request, PageQuerySchema);
    const page = await listDocumentsPage(db, kbId, { ...query, signingKey: await cursorKey() });
    return {
      status: 200,
      body: {
        items: page.items.map((doc) => ({
          url: doc.url,
          title: doc.title ?? null,
          status: doc.status,
          lastFetchedAt: doc.lastFetchedAt ?? null,
          contentHash: doc.contentHash ?? null,
          chunkCount: doc.chunkCount,
          error: doc.error ?? null,
        })),
        nextCursor: page.nextCursor,
      },
    };
  },
  { auth: 'apiKey' },
);
