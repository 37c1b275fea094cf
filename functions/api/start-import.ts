import { env } from '#shared/config/env.ts';
import { presentImport, startImportJob } from '#shared/campaigns/import-api.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { s3FromEnv } from '#shared/exports/s3-client.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** POST /v1/imports/{id}/start: the uploaded file is imported as a job; 409 before the upload. */
export const handler = httpHandler(
  async ({ request }) => {
    const s3 = s3FromEnv();
    const job = await startImportJob(
      { db: dbFromEnv(), s3, sqs: sqsFromEnv(), queueUrls: queueUrlsFromEnv(), bucket: env().EXPORTS_BUCKET },
      tenantIdOf(request),
      pathId(request, 'contactImport', 'Import'),
    );
    return { status: 202, body: { import: await presentImport(job, s3) } };
  },
  { auth: 'apiKey' },
);
