import { CreateApiKeyBodySchema } from '#shared/api/api-key-schemas.ts';
import { presentApiKey } from '#shared/api/presenters.ts';
import { createApiKey } from '#shared/data/api-keys.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseBody, tenantIdOf } from '../lib/route-helpers.ts';

/** POST /v1/api-keys: the secret is in this response only; the platform keeps its hash. */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const input = parseBody(request, CreateApiKeyBodySchema);
    const tenantId = tenantIdOf(request);
    const { key, secret } = await createApiKey(dbFromEnv(), { tenantId, ...input });
    logger.info('api key created', { keyId: key.id, scopes: key.scopes });
    return { status: 201, body: { apiKey: { ...presentApiKey(key), secret } } };
  },
  { auth: 'apiKey', scope: 'admin' },
);
