import {
  presentKnowledgeBase,
  refreshUploads,
  requireKnowledgeBase,
} from '#shared/knowledge/knowledge-operations.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { knowledgeDepsFromEnv } from '../lib/knowledge-deps.ts';
import { pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/knowledge-bases/{id}; file sources say whether their upload landed. */
export const handler = httpHandler(
  async ({ request }) => {
    const deps = knowledgeDepsFromEnv();
    const kbId = pathId(request, 'knowledgeBase', 'Knowledge base');
    const kb = await refreshUploads(deps, await requireKnowledgeBase(deps.db, tenantIdOf(request), kbId));
    return { status: 200, body: { knowledgeBase: presentKnowledgeBase(kb) } };
  },
  { auth: 'apiKey' },
);
