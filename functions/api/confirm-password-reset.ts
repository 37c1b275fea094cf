import { recordAuditEvent } from '#shared/data/audit-events.ts';
import { consumePasswordReset, findPasswordReset } from '#shared/data/password-resets.ts';
import { putThrottle, throttleSubject } from '#shared/data/throttles.ts';
import { getUser, patchUser } from '#shared/data/users.ts';
import { assertPasswordAcceptable, hashPassword } from '#shared/people/password.ts';
import { PasswordResetConfirmBodySchema } from '#shared/people/people-schemas.ts';
import { peopleDepsFromEnv } from '#shared/people/people-deps.ts';
import { InvalidTokenError } from '#shared/people/session-tokens.ts';
import { NO_FAILURES } from '#shared/people/throttle-policy.ts';
import { originOf } from '../lib/audit-change.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseBody } from '../lib/route-helpers.ts';
import { signedOutResult } from '../lib/session-response.ts';

/**
 * POST /v1/auth/password-reset/confirm: sets the new password, ends every session of the user and
 * lifts the account's sign-in throttle. MFA stays on: a reset link alone never bypasses it.
 */
export const handler = httpHandler(
  async ({ request }) => {
    const input = parseBody(request, PasswordResetConfirmBodySchema);
    const deps = await peopleDepsFromEnv();
    const nowMs = Date.now();
    const invalid = () =>
      new InvalidTokenError('The reset link is not valid, was already used, or has expired.');
    const found = await findPasswordReset(deps.db, input.token, nowMs);
    const user = found && (await getUser(deps.db, found.tenantId, found.userId));
    if (!user) throw invalid();
    // Checked before the link is spent, so a refused password leaves it usable.
    assertPasswordAcceptable(input.password, { email: user.email });
    if (!(await consumePasswordReset(deps.db, input.token, nowMs))) throw invalid();
    await patchUser(deps.db, user, {
      passwordHash: await hashPassword(input.password),
      sessionsValidAfterMs: nowMs,
      updatedAt: new Date(nowMs).toISOString(),
    });
    await putThrottle(deps.db, throttleSubject.account(user.email), NO_FAILURES);
    await recordAuditEvent(deps.db, {
      tenantId: user.tenantId,
      action: 'auth.password_reset',
      actor: { type: 'user', id: user.id, email: user.email },
      target: { type: 'user', id: user.id },
      outcome: 'success',
      ...originOf(request),
      nowMs,
    });
    return signedOutResult();
  },
  { auth: 'none' },
);
