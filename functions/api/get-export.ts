import { env } from '#shared/config/env.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { NotFoundError } from '#shared/errors/app-error.ts';
import { presentExport } from '#shared/exports/export-api.ts';
import { getExportJob } from '#shared/exports/export-store.ts';
import { s3FromEnv } from '#shared/exports/s3-client.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/exports/{id}: progress, and a short-lived download URL once completed. */
export const handler = httpHandler(
  async ({ request }) => {
    const id = pathId(request, 'export', 'Export');
    const job = await getExportJob(dbFromEnv(), tenantIdOf(request), id);
    if (!job) throw new NotFoundError('Export not found.');
    const exported = await presentExport(job, {
      s3: s3FromEnv(),
      urlTtlSeconds: env().EXPORT_URL_TTL_SECONDS,
    });
    return { status: 200, headers: { 'cache-control': 'no-store' }, body: { export: exported } };
  },
  { auth: 'apiKey' },
);
