import { onboardTenant } from '#shared/tenants/tenant-admin.ts';
import { CreateTenantBodySchema } from '#shared/api/tenant-schemas.ts';
import { env } from '#shared/config/env.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { emailSenderFromEnv } from '#shared/people/email-sender.ts';
import { inviteMember } from '#shared/people/invitations-flow.ts';
import { peopleDepsFromEnv } from '#shared/people/people-deps.ts';
import { originOf } from '../lib/audit-change.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseBody } from '../lib/route-helpers.ts';

/** POST /v1/tenants (platform admin): a new account and its first admin key, shown once. */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const input = parseBody(request, CreateTenantBodySchema);
    const created = await onboardTenant(dbFromEnv(), input, {
      maxConcurrentCalls: env().DEFAULT_MAX_CONCURRENT_CALLS,
      requestsPerSecond: env().DEFAULT_REQUESTS_PER_SECOND,
    });
    logger.info('tenant created', { tenantId: created.tenant.id });
    if (!input.ownerEmail) return { status: 201, body: created };
    const { emailed: _emailed, ...ownerInvitation } = await inviteMember(
      {
        ...(await peopleDepsFromEnv()),
        email: emailSenderFromEnv(),
        consoleUrl: env().CONSOLE_URL ?? env().PUBLIC_API_URL,
      },
      {
        tenantId: created.tenant.id,
        tenantName: created.tenant.name,
        email: input.ownerEmail,
        role: 'owner',
        actor: { type: 'platformAdmin' },
      },
      originOf(request),
    );
    return { status: 201, headers: { 'cache-control': 'no-store' }, body: { ...created, ownerInvitation } };
  },
  { auth: 'admin' },
);
