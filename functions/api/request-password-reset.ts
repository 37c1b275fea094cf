import { setTimeout as sleep } from 'node:timers/promises';
import { recordAuditEvent } from '#shared/data/audit-events.ts';
import { createPasswordReset } from '#shared/data/password-resets.ts';
import { findUserByEmail } from '#shared/data/users.ts';
import { env } from '#shared/config/env.ts';
import { emailSenderFromEnv } from '#shared/people/email-sender.ts';
import { PasswordResetRequestBodySchema } from '#shared/people/people-schemas.ts';
import { peopleDepsFromEnv } from '#shared/people/people-deps.ts';
import { originOf } from '../lib/audit-change.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseBody } from '../lib/route-helpers.ts';

/** Every answer takes at least this long, so known and unknown emails cannot be told apart by timing. */
const MIN_RESPONSE_MS = 800;

/**
 * POST /v1/auth/password-reset: always 202. A known account gets a one-hour, single-use link by
 * email (SES); without a sender, on the local stage, the link is logged for the developer.
 */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const started = Date.now();
    const input = parseBody(request, PasswordResetRequestBodySchema);
    const deps = await peopleDepsFromEnv();
    const user = await findUserByEmail(deps.db, input.email);
    if (user) {
      const token = await createPasswordReset(deps.db, user);
      const base = env().CONSOLE_URL ?? env().PUBLIC_API_URL;
      const url = `${base.replace(/\/+$/, '')}/reset-password?token=${encodeURIComponent(token)}`;
      const sender = emailSenderFromEnv();
      if (sender.configured) {
        await sender.send({
          to: user.email,
          subject: 'Reset your ai-caller password',
          text: `Someone asked to reset the password of ${user.email} on ai-caller.\n\nChoose a new password here (the link works once, for one hour):\n${url}\n\nIf this was not you, ignore this email; your password stays as it is.`,
        });
      } else if (env().STAGE === 'local') {
        logger.info('password reset link (local stage, no EMAIL_FROM)', { link: url });
      }
      await recordAuditEvent(deps.db, {
        tenantId: user.tenantId,
        action: 'auth.password_reset_requested',
        actor: { type: 'anonymous' },
        target: { type: 'user', id: user.id },
        outcome: 'success',
        ...originOf(request),
      });
    }
    const elapsed = Date.now() - started;
    if (elapsed < MIN_RESPONSE_MS) await sleep(MIN_RESPONSE_MS - elapsed);
    return { status: 202, body: { accepted: true } };
  },
  { auth: 'none' },
);
