import { env } from '#shared/config/env.ts';
import { getTenant } from '#shared/data/tenants.ts';
import { ForbiddenError, NotFoundError } from '#shared/errors/app-error.ts';
import { emailSenderFromEnv } from '#shared/people/email-sender.ts';
import { inviteMember } from '#shared/people/invitations-flow.ts';
import { CreateInvitationBodySchema } from '#shared/people/people-schemas.ts';
import { peopleDepsFromEnv } from '#shared/people/people-deps.ts';
import { canAssignRole } from '#shared/people/permissions.ts';
import { actorOf, originOf } from '../lib/audit-change.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseBody, tenantIdOf } from '../lib/route-helpers.ts';
import { granteeOf } from '../lib/grantee.ts';

/** POST /v1/invitations (owners, admins, admin keys): a 72-hour single-use link, emailed when SES is configured. */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const input = parseBody(request, CreateInvitationBodySchema);
    if (!canAssignRole(granteeOf(request), input.role))
      throw new ForbiddenError('Only owners may invite owners.');
    const tenantId = tenantIdOf(request);
    const tenant = await getTenant((await peopleDepsFromEnv()).db, tenantId);
    if (!tenant) throw new NotFoundError('Tenant not found.');
    const created = await inviteMember(
      {
        ...(await peopleDepsFromEnv()),
        email: emailSenderFromEnv(),
        consoleUrl: env().CONSOLE_URL ?? env().PUBLIC_API_URL,
      },
      {
        tenantId,
        tenantName: tenant.name,
        email: input.email,
        role: input.role,
        actor: actorOf(request.auth),
      },
      originOf(request),
    );
    logger.info('invitation created', {
      invitationId: created.invitation.id,
      role: input.role,
      emailed: created.emailed,
    });
    const { emailed: _emailed, ...body } = created;
    return { status: 201, headers: { 'cache-control': 'no-store' }, body };
  },
  { auth: 'apiKey', scope: 'admin' },
);
