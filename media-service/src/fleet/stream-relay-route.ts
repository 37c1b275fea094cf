import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { SecretStore } from '#shared/config/secrets.ts';
import type { Logger } from '#shared/logging/logger.ts';
import type { UpgradeRoute } from '../server.ts';
import { internalDoor } from './internal-door.ts';
import { verifyRelayedStream } from './relay-token.ts';

/** The call a relayed stream is for (from its relay token) and the task that relayed it. */
export interface RelayedStream {
  callId: string;
  fromTaskId: string;
}

const STATUS_TEXT: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden' };

function refuseUpgrade(socket: Duplex, status: 401 | 403, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * The door of `STREAM_RELAY_PATH` (`stream-relay.ts`): like `/internal/commands`, refused with 403
 * when the upgrade came through the public load balancer (it always adds `X-Forwarded-For`), and
 * with 401 without a valid relay stream token in `Authorization: Bearer`. Only then is the socket
 * upgraded and handed to `accept`, which runs it as a consult stream of this task.
 */
export function acceptRelayedStreams(
  deps: { secrets: SecretStore; logger: Logger },
  accept: (req: IncomingMessage, socket: Duplex, head: Buffer, relay: RelayedStream) => void,
): UpgradeRoute {
  return (req, socket, head) => {
    const door = internalDoor(req.headers);
    if ('refused' in door) {
      return refuseUpgrade(socket, door.refused.status, door.refused.code, door.refused.message);
    }
    const { token } = door;
    void (async () => {
      const relay = token
        ? await verifyRelayedStream(token, await deps.secrets.require('INTERNAL_SIGNING_KEY'))
        : undefined;
      if (!relay) {
        deps.logger.warn('relayed stream refused', { reason: token ? 'invalid_token' : 'no_token' });
        return refuseUpgrade(socket, 401, 'unauthorized', 'A valid relay token is required.');
      }
      if (socket.destroyed) return;
      accept(req, socket, head, relay);
    })().catch((error: unknown) => {
      deps.logger.error('relayed stream not accepted', { err: error });
      socket.destroy();
    });
  };
}
