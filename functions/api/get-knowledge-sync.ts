import { NotFoundError } from '#shared/errors/app-error.ts';
import { requireKnowledgeBase } from '#shared/knowledge/knowledge-operations.ts';
import { presentSync } from '#shared/knowledge/sync-presenter.ts';
import { listSyncProblems } from '#shared/knowledge/sync-frontier.ts';
import { getSync } from '#shared/knowledge/sync-records.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { knowledgeDepsFromEnv, syncIdOf } from '../lib/knowledge-deps.ts';
import { pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/knowledge-bases/{id}/syncs/{syncId}: counters, progress and the reasons of failed pages. */
export const handler = httpHandler(
  async ({ request }) => {
    const { db } = knowledgeDepsFromEnv();
    const kbId = pathId(request, 'knowledgeBase', 'Knowledge base');
    await requireKnowledgeBase(db, tenantIdOf(request), kbId);
    const sync = await getSync(db, kbId, syncIdOf(request));
    if (!sync) throw new NotFoundError('Sync not found.');
    const problems = await listSyncProblems(db, kbId, sync.id);
    return { status: 200, body: { sync: presentSync(sync, problems) } };
  },
  { auth: 'apiKey' },
);
