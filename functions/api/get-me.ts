import { dbFromEnv } from '#shared/data/client.ts';
import { getSecuritySettings } from '#shared/data/security-settings.ts';
import { getTenant } from '#shared/data/tenants.ts';
import { getUser } from '#shared/data/users.ts';
import { InvalidTokenError } from '#shared/people/session-tokens.ts';
import { presentUser } from '#shared/people/user-presenter.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { userOf } from '../lib/session-response.ts';

/** GET /v1/auth/me: the signed-in person, their tenant, and whether MFA is required of them. */
export const handler = httpHandler(
  async ({ request }) => {
    const { tenantId, userId } = userOf(request);
    const db = dbFromEnv();
    const [user, tenant, security] = await Promise.all([
      getUser(db, tenantId, userId),
      getTenant(db, tenantId),
      getSecuritySettings(db, tenantId),
    ]);
    if (!user || !tenant) throw new InvalidTokenError('The session has ended. Sign in again.');
    return {
      status: 200,
      headers: { 'cache-control': 'no-store' },
      body: {
        user: presentUser(user),
        tenant: { id: tenant.id, name: tenant.name },
        mfaRequired: security.mfaRequired,
      },
    };
  },
  { auth: 'apiKey', userOnly: true, allowWithoutMfa: true },
);
