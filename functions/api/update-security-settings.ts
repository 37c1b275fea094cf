import { dbFromEnv } from '#shared/data/client.ts';
import { putSecuritySettings } from '#shared/data/security-settings.ts';
import { UpdateSecuritySettingsBodySchema } from '#shared/people/people-schemas.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseBody, tenantIdOf } from '../lib/route-helpers.ts';

/** PATCH /v1/security-settings (owners): e.g. `{mfaRequired: true}`; audited by the HTTP layer. */
export const handler = httpHandler(
  async ({ request }) => {
    const input = parseBody(request, UpdateSecuritySettingsBodySchema);
    return {
      status: 200,
      body: { settings: await putSecuritySettings(dbFromEnv(), tenantIdOf(request), input) },
    };
  },
  { auth: 'apiKey' },
);
