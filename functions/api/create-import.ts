import { env } from '#shared/config/env.ts';
import { createImportJob, presentImport } from '#shared/campaigns/import-api.ts';
import { CreateImportBodySchema } from '#shared/campaigns/import-schemas.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { s3FromEnv } from '#shared/exports/s3-client.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseBody, tenantIdOf } from '../lib/route-helpers.ts';

/**
 * POST /v1/imports: a CSV import of campaign contacts or do-not-call numbers. PUT the file to
 * `upload.url`, then POST /v1/imports/{id}/start and poll GET /v1/imports/{id}.
 */
export const handler = httpHandler(
  async ({ request }) => {
    const body = parseBody(request, CreateImportBodySchema);
    const s3 = s3FromEnv();
    const { job, upload } = await createImportJob(
      { db: dbFromEnv(), s3, sqs: sqsFromEnv(), queueUrls: queueUrlsFromEnv(), bucket: env().EXPORTS_BUCKET },
      tenantIdOf(request),
      body,
    );
    return {
      status: 201,
      headers: { location: `/v1/imports/${job.id}` },
      body: { import: await presentImport(job, s3), upload },
    };
  },
  { auth: 'apiKey' },
);
