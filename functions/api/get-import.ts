import { presentImport, requireImport } from '#shared/campaigns/import-api.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { s3FromEnv } from '#shared/exports/s3-client.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/imports/{id}: progress, rejected rows, and the full error report once done. */
export const handler = httpHandler(
  async ({ request }) => {
    const job = await requireImport(
      dbFromEnv(),
      tenantIdOf(request),
      pathId(request, 'contactImport', 'Import'),
    );
    return {
      status: 200,
      headers: { 'cache-control': 'no-store' },
      body: { import: await presentImport(job, s3FromEnv()) },
    };
  },
  { auth: 'apiKey' },
);
