import { dbFromEnv } from '#shared/data/client.ts';
import { getSecuritySettings } from '#shared/data/security-settings.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/security-settings: the tenant's sign-in policy. */
export const handler = httpHandler(
  async ({ request }) => ({
    status: 200,
    body: { settings: await getSecuritySettings(dbFromEnv(), tenantIdOf(request)) },
  }),
  { auth: 'apiKey' },
);
