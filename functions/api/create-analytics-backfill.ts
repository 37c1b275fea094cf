import { startBackfill } from '#shared/analytics/backfill-api.ts';
import { CreateBackfillBodySchema } from '#shared/analytics/backfill-schemas.ts';
import { presentBackfill } from '#shared/analytics/run-backfill.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseBody } from '../lib/route-helpers.ts';

/** POST /v1/analytics/backfills (platform admin): rebuilds a tenant's counters for a date range. */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const body = parseBody(request, CreateBackfillBodySchema);
    const job = await startBackfill(
      { db: dbFromEnv(), sqs: sqsFromEnv(), queueUrls: queueUrlsFromEnv() },
      body,
    );
    logger.info('backfill queued', { backfillId: job.id, tenantId: job.tenantId, days: job.daysTotal });
    return {
      status: 202,
      headers: { location: `/v1/analytics/backfills/${job.id}` },
      body: { backfill: presentBackfill(job) },
    };
  },
  { auth: 'admin' },
);
