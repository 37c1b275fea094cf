import { getBackfillJob } from '#shared/analytics/backfill-store.ts';
import { presentBackfill } from '#shared/analytics/run-backfill.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { NotFoundError } from '#shared/errors/app-error.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { pathId } from '../lib/route-helpers.ts';

/** GET /v1/analytics/backfills/{id} (platform admin): the rebuild's progress. */
export const handler = httpHandler(
  async ({ request }) => {
    const job = await getBackfillJob(dbFromEnv(), pathId(request, 'backfill', 'Backfill'));
    if (!job) throw new NotFoundError('Backfill not found.');
    return {
      status: 200,
      headers: { 'cache-control': 'no-store' },
      body: { backfill: presentBackfill(job) },
    };
  },
  { auth: 'admin' },
);
