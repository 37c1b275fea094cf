import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SecretStore } from '#shared/config/secrets.ts';
import type { Logger } from '#shared/logging/logger.ts';
import { deliverToLiveSession, isLiveCallCommand } from '../commands/live-delivery.ts';
import type { MediaRoutes } from '../server.ts';
import type { SessionRegistry } from '../session/session-registry.ts';
import { internalDoor } from './internal-door.ts';
import { verifyRelayedCommand } from './relay-token.ts';

/** Where a media task takes commands relayed by the other tasks (`command-relay.ts`). */
export const MEDIA_RELAY_PATH = '/internal/commands';

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const refusal = (code: string, message: string) => ({ error: { code, message } });

/**
 * `POST /internal/commands` with `Authorization: Bearer <relay token>`: runs a live-call command
 * on this task only (never relayed further, so two tasks cannot bounce a command between them).
 * Requests that came through the public load balancer (it always adds `X-Forwarded-For`) are
 * refused before the token is looked at: tasks reach each other directly, inside the VPC.
 */
export function registerCommandRelayRoute(
  routes: MediaRoutes,
  deps: { registry: SessionRegistry; secrets: SecretStore; logger: Logger },
): void {
  routes.http.set(MEDIA_RELAY_PATH, async (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    if (req.method !== 'POST') return reply(res, 405, refusal('method_not_allowed', 'Use POST.'));
    const door = internalDoor(req.headers);
    if ('refused' in door)
      return reply(res, door.refused.status, refusal(door.refused.code, door.refused.message));
    const { token } = door;
    const verified = token
      ? await verifyRelayedCommand(token, await deps.secrets.require('INTERNAL_SIGNING_KEY'))
      : ({ ok: false, reason: 'invalid_token' } as const);
    if (!verified.ok) {
      deps.logger.warn('relayed command refused', { reason: verified.reason });
      return verified.reason === 'invalid_token'
        ? reply(res, 401, refusal('unauthorized', 'A valid relay token is required.'))
        : reply(res, 400, refusal('validation_error', 'The relayed command is not valid.'));
    }
    const { command } = verified;
    if (!isLiveCallCommand(command)) {
      return reply(res, 400, refusal('validation_error', `${command.type} is not relayed between tasks.`));
    }
    const delivered = await deliverToLiveSession(deps.registry, command, {
      untilClosed: false,
      onEndFailed: (err) => deps.logger.error('relayed call end failed', { callId: command.callId, err }),
    });
    if (!delivered) {
      return reply(res, 404, refusal('not_live', 'The call is not live on this task.'));
    }
    deps.logger.info('relayed command delivered', {
      callId: command.callId,
      type: command.type,
      fromTaskId: verified.fromTaskId,
    });
    return reply(res, 200, { delivered: true });
  });
}
