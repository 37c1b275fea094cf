import { deleteApiKey } from '#shared/data/api-keys.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { NotFoundError } from '#shared/errors/app-error.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** DELETE /v1/api-keys/{id}: the key stops working with the next request. */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const keyId = pathId(request, 'apiKey', 'API key');
    if (!(await deleteApiKey(dbFromEnv(), tenantIdOf(request), keyId))) {
      throw new NotFoundError('API key not found.');
    }
    logger.info('api key deleted', { keyId });
    return { status: 204 };
  },
  { auth: 'apiKey', scope: 'admin' },
);
