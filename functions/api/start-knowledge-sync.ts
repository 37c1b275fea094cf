import { startSync } from '#shared/knowledge/knowledge-operations.ts';
import { presentSync } from '#shared/knowledge/sync-presenter.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { knowledgeDepsFromEnv } from '../lib/knowledge-deps.ts';
import { pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** POST /v1/knowledge-bases/{id}/syncs → 202; 409 while another sync runs. */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const kbId = pathId(request, 'knowledgeBase', 'Knowledge base');
    const sync = await startSync(knowledgeDepsFromEnv(), tenantIdOf(request), kbId, 'api');
    logger.info('knowledge sync started', { knowledgeBaseId: kbId, syncId: sync.id });
    return { status: 202, body: { sync: presentSync(sync, []) } };
  },
  { auth: 'apiKey' },
);
