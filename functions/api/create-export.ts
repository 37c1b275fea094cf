import { env } from '#shared/config/env.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { presentExport, startExport } from '#shared/exports/export-api.ts';
import { CreateExportBodySchema } from '#shared/exports/export-schemas.ts';
import { s3FromEnv } from '#shared/exports/s3-client.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseBody, tenantIdOf } from '../lib/route-helpers.ts';

/** POST /v1/exports: queues an export of the range's calls; poll GET /v1/exports/{id}. */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const body = parseBody(request, CreateExportBodySchema);
    const config = env();
    const job = await startExport(
      { db: dbFromEnv(), sqs: sqsFromEnv(), queueUrls: queueUrlsFromEnv(), bucket: config.EXPORTS_BUCKET },
      { tenantId: tenantIdOf(request), tenantTimeZone: request.auth?.tenantTimeZone ?? 'UTC', body },
    );
    logger.info('export queued', { exportId: job.id, format: job.format, rowsExpected: job.rowsExpected });
    const exported = await presentExport(job, {
      s3: s3FromEnv(),
      urlTtlSeconds: config.EXPORT_URL_TTL_SECONDS,
    });
    return { status: 202, headers: { location: `/v1/exports/${job.id}` }, body: { export: exported } };
  },
  { auth: 'apiKey' },
);
