import { PageQuerySchema } from '#shared/api/common-schemas.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { listKnowledgeBases } from '#shared/knowledge/knowledge-base-store.ts';
import { presentKnowledgeBase } from '#shared/knowledge/knowledge-operations.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { cursorKey, parseQuery, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/knowledge-bases, newest first. */
export const handler = httpHandler(
  async ({ request }) => {
    const query = parseQuery(request, PageQuerySchema);
    const page = await listKnowledgeBases(dbFromEnv(), tenantIdOf(request), {
      ...query,
      signingKey: await cursorKey(),
    });
    return {
      status: 200,
      body: { items: page.items.map(presentKnowledgeBase), nextCursor: page.nextCursor },
    };
  },
  { auth: 'apiKey' },
);
