import { recordAuditEvent } from '#shared/data/audit-events.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { deleteInvitation } from '#shared/data/invitations.ts';
import { NotFoundError } from '#shared/errors/app-error.ts';
import { actorOf, originOf } from '../lib/audit-change.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** DELETE /v1/invitations/{id}: the link stops working at once. */
export const handler = httpHandler(
  async ({ request }) => {
    const tenantId = tenantIdOf(request);
    const id = pathId(request, 'invitation', 'Invitation');
    if (!(await deleteInvitation(dbFromEnv(), tenantId, id)))
      throw new NotFoundError('Invitation not found.');
    await recordAuditEvent(dbFromEnv(), {
      tenantId,
      action: 'invitation.revoked',
      actor: actorOf(request.auth),
      target: { type: 'invitation', id },
      outcome: 'success',
      ...originOf(request),
    });
    return { status: 204 };
  },
  { auth: 'apiKey', scope: 'admin' },
);
