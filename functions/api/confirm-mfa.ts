import { recordAuditEvent } from '#shared/data/audit-events.ts';
import { getUser } from '#shared/data/users.ts';
import { NotFoundError } from '#shared/errors/app-error.ts';
import { confirmMfaEnrolment } from '#shared/people/mfa.ts';
import { MfaCodeBodySchema } from '#shared/people/people-schemas.ts';
import { peopleDepsFromEnv } from '#shared/people/people-deps.ts';
import { actorOf, originOf } from '../lib/audit-change.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseBody } from '../lib/route-helpers.ts';
import { userOf } from '../lib/session-response.ts';

/** POST /v1/auth/mfa/confirm: turns MFA on with a first code; returns ten recovery codes, once. */
export const handler = httpHandler(
  async ({ request }) => {
    const { code } = parseBody(request, MfaCodeBodySchema);
    const { tenantId, userId } = userOf(request);
    const deps = await peopleDepsFromEnv();
    const user = await getUser(deps.db, tenantId, userId);
    if (!user) throw new NotFoundError('User not found.');
    const recoveryCodes = await confirmMfaEnrolment(deps, user, code, Date.now());
    await recordAuditEvent(deps.db, {
      tenantId,
      action: 'mfa.enabled',
      actor: actorOf(request.auth),
      target: { type: 'user', id: userId },
      outcome: 'success',
      ...originOf(request),
    });
    return { status: 200, headers: { 'cache-control': 'no-store' }, body: { recoveryCodes } };
  },
  { auth: 'apiKey', userOnly: true, allowWithoutMfa: true, scope: 'read' },
);
