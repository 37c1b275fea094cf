import { recordAuditEvent } from '#shared/data/audit-events.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { getUser, updateUser } from '#shared/data/users.ts';
import { ForbiddenError, NotFoundError } from '#shared/errors/app-error.ts';
import { UpdateUserBodySchema } from '#shared/people/people-schemas.ts';
import { canAssignRole } from '#shared/people/permissions.ts';
import { presentUser } from '#shared/people/user-presenter.ts';
import { actorOf, originOf } from '../lib/audit-change.ts';
import { granteeOf } from '../lib/grantee.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseBody, pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** PATCH /v1/users/{id} `{name?, role?}`: only owners touch owners; the last owner stays one. */
export const handler = httpHandler(
  async ({ request }) => {
    const input = parseBody(request, UpdateUserBodySchema);
    const db = dbFromEnv();
    const tenantId = tenantIdOf(request);
    const current = await getUser(db, tenantId, pathId(request, 'user', 'User'));
    if (!current) throw new NotFoundError('User not found.');
    const grantee = granteeOf(request);
    if (
      input.role &&
      input.role !== current.role &&
      (!canAssignRole(grantee, input.role) || !canAssignRole(grantee, current.role))
    )
      throw new ForbiddenError('Only owners may make or unmake owners.');
    const updated = await updateUser(db, current, input);
    await recordAuditEvent(db, {
      tenantId,
      action: input.role && input.role !== current.role ? 'user.role_changed' : 'user.updated',
      actor: actorOf(request.auth),
      target: { type: 'user', id: current.id },
      outcome: 'success',
      ...originOf(request),
      ...(input.role && input.role !== current.role
        ? { details: { from: current.role, to: input.role } }
        : {}),
    });
    return { status: 200, body: { user: presentUser(updated) } };
  },
  { auth: 'apiKey', scope: 'admin' },
);
