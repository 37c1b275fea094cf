import { dbFromEnv } from '#shared/data/client.ts';
import { putSecuritySettings } from '#shared/data/security-settings.ts';
import { getUser } from '#shared/data/users.ts';
import { ConflictError } from '#shared/errors/app-error.ts';
import { UpdateSecuritySettingsBodySchema } from '#shared/people/people-schemas.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseBody, tenantIdOf } from '../lib/route-helpers.ts';

/**
 * PATCH /v1/security-settings (owners): e.g. `{mfaRequired: true}`; audited by the HTTP layer.
 * An owner must use MFA before requiring it, or the change would lock them out with everyone else.
 */
export const handler = httpHandler(
  async ({ request }) => {
    const input = parseBody(request, UpdateSecuritySettingsBodySchema);
    const db = dbFromEnv();
    const tenantId = tenantIdOf(request);
    if (input.mfaRequired && request.auth?.kind === 'user' && request.auth.userId) {
      const caller = await getUser(db, tenantId, request.auth.userId);
      if (!caller?.mfaEnabled)
        throw new ConflictError('Turn on MFA for yourself before requiring it of everyone.');
    }
    return { status: 200, body: { settings: await putSecuritySettings(db, tenantId, input) } };
  },
  { auth: 'apiKey', scope: 'owner' },
);
