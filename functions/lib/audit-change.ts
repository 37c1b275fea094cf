import { type AuditActor, recordAuditEvent } from '#shared/data/audit-events.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import type { Logger } from '#shared/logging/logger.ts';
import { AUDITED_ROUTES } from '#shared/people/route-policy.ts';
import type { AuthContext, HttpRequest, HttpResult } from './http-types.ts';

export function actorOf(auth: AuthContext | undefined): AuditActor {
  if (!auth) return { type: 'anonymous' };
  if (auth.kind === 'user') return { type: 'user', id: auth.userId, email: auth.email };
  if (auth.kind === 'apiKey') return { type: 'apiKey', id: auth.keyId };
  return { type: 'platformAdmin' };
}

/** Where the request came from, as the audit log records it. */
export function originOf(request: HttpRequest): { sourceIp?: string; userAgent?: string } {
  return {
    sourceIp: request.event.requestContext?.http?.sourceIp || undefined,
    userAgent: request.headers['user-agent'] || undefined,
  };
}

/**
 * Records a successful change of an audited route (see AUDITED_ROUTES) in the tenant's audit log.
 * The change has happened by now, so a failure to record it is logged rather than turned into an
 * error response that would invite a retry of the change itself.
 */
export async function auditChange(request: HttpRequest, result: HttpResult, logger: Logger): Promise<void> {
  const entry = AUDITED_ROUTES[request.event.routeKey];
  if (!entry || result.status >= 300) return;
  const tenantId =
    request.auth?.tenantId ??
    (request.event.routeKey === 'PATCH /v1/tenants/{id}' ? request.pathParams.id : undefined);
  if (!tenantId) return;
  const body = result.body as Record<string, { id?: unknown } | undefined> | undefined;
  const fromBody = entry.resource ? body?.[entry.resource]?.id : undefined;
  const targetId = request.pathParams.id ?? (typeof fromBody === 'string' ? fromBody : undefined) ?? tenantId;
  try {
    await recordAuditEvent(dbFromEnv(), {
      tenantId,
      action: entry.action,
      actor: actorOf(request.auth),
      target: { type: entry.target, id: targetId },
      outcome: 'success',
      ...originOf(request),
    });
  } catch (error) {
    logger.error('audit event not recorded', { action: entry.action, err: error });
  }
}
