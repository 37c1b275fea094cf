import { recordAuditEvent } from '#shared/data/audit-events.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { deleteUser, getUser } from '#shared/data/users.ts';
import { ForbiddenError, NotFoundError } from '#shared/errors/app-error.ts';
import { canAssignRole } from '#shared/people/permissions.ts';
import { actorOf, originOf } from '../lib/audit-change.ts';
import { granteeOf } from '../lib/grantee.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** DELETE /v1/users/{id}: their sessions end at once (every request re-reads the user). */
export const handler = httpHandler(
  async ({ request }) => {
    const db = dbFromEnv();
    const tenantId = tenantIdOf(request);
    const user = await getUser(db, tenantId, pathId(request, 'user', 'User'));
    if (!user) throw new NotFoundError('User not found.');
    if (!canAssignRole(granteeOf(request), user.role))
      throw new ForbiddenError('Only owners may remove owners.');
    await deleteUser(db, user);
    await recordAuditEvent(db, {
      tenantId,
      action: 'user.removed',
      actor: actorOf(request.auth),
      target: { type: 'user', id: user.id },
      outcome: 'success',
      ...originOf(request),
      details: { email: user.email, role: user.role },
    });
    return { status: 204 };
  },
  { auth: 'apiKey', scope: 'admin' },
);
