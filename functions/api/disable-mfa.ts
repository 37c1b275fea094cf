import { recordAuditEvent } from '#shared/data/audit-events.ts';
import { getSecuritySettings } from '#shared/data/security-settings.ts';
import { getUser } from '#shared/data/users.ts';
import { ConflictError, NotFoundError } from '#shared/errors/app-error.ts';
import { disableMfa } from '#shared/people/mfa.ts';
import { MfaCodeBodySchema } from '#shared/people/people-schemas.ts';
import { peopleDepsFromEnv } from '#shared/people/people-deps.ts';
import { actorOf, originOf } from '../lib/audit-change.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseBody } from '../lib/route-helpers.ts';
import { userOf } from '../lib/session-response.ts';

/** DELETE /v1/auth/mfa `{code}`: turns MFA off with a current code (refused where the tenant requires MFA). */
export const handler = httpHandler(
  async ({ request }) => {
    const { code } = parseBody(request, MfaCodeBodySchema);
    const { tenantId, userId } = userOf(request);
    const deps = await peopleDepsFromEnv();
    const [user, security] = await Promise.all([
      getUser(deps.db, tenantId, userId),
      getSecuritySettings(deps.db, tenantId),
    ]);
    if (!user) throw new NotFoundError('User not found.');
    if (security.mfaRequired)
      throw new ConflictError('Your organisation requires MFA; it cannot be turned off.');
    if (!user.mfaEnabled) throw new ConflictError('MFA is not on.');
    await disableMfa(deps, user, code, Date.now());
    await recordAuditEvent(deps.db, {
      tenantId,
      action: 'mfa.disabled',
      actor: actorOf(request.auth),
      target: { type: 'user', id: userId },
      outcome: 'success',
      ...originOf(request),
    });
    return { status: 204 };
  },
  { auth: 'apiKey', userOnly: true, scope: 'read' },
);
