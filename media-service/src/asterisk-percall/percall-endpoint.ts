import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '#shared/logging/logger.ts';
import type { MediaRoutes } from '../server.ts';

/** Where Asterisk's `websocket_client.conf` `uri` points, on the media port. */
export const ASTERISK_PERCALL_PATH = '/asterisk/ari';
/** ARI per-call messages are small JSON (a channel snapshot is ~1 KB). */
const MAX_MESSAGE_BYTES = 256 * 1024;

export type UpgradeRefusal = 'unauthorized' | 'draining' | 'protocol';

/** Compares `user:password` in constant time (hashed first, so lengths do not leak either). */
export function basicAuthMatches(header: string | undefined, username: string, password: string): boolean {
  if (!header?.startsWith('Basic ')) return false;
  const given = createHash('sha256')
    .update(Buffer.from(header.slice(6).trim(), 'base64'))
    .digest();
  const expected = createHash('sha256').update(`${username}:${password}`).digest();
  return timingSafeEqual(given, expected);
}

/** Whether an upgrade may proceed: draining tasks and wrong credentials are refused before any ARI traffic. */
export function checkUpgrade(
  req: Pick<IncomingMessage, 'headers'>,
  input: { username: string; password: string; draining: boolean },
): UpgradeRefusal | undefined {
  if (input.draining) return 'draining';
  if (!basicAuthMatches(req.headers.authorization, input.username, input.password)) return 'unauthorized';
  const protocols = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim());
  if (!protocols.includes('ari')) return 'protocol';
  return undefined;
}

const REFUSAL_RESPONSE: Record<UpgradeRefusal, string> = {
  draining:
    'HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
  unauthorized:
    'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="ai-caller"\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
  protocol: 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
};

/**
 * `ws(s)://<media>/asterisk/ari`: Asterisk's per-call ARI WebSockets. The credentials are those of
 * `websocket_client.conf` (HTTP Basic); the sub-protocol is `ari`. Returns a way to close every
 * connection (shutdown).
 */
export function registerPerCallEndpoint(
  routes: MediaRoutes,
  input: {
    username: string;
    password: string;
    draining: () => boolean;
    logger: Logger;
    onConnection(ws: WebSocket): void;
    /** Hears each refused connection (the refused-calls metric). */
    onRefused?: (reason: UpgradeRefusal) => void;
  },
): { close(): void; readonly connections: number } {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has('ari') ? 'ari' : false),
  });
  routes.upgrade.set(ASTERISK_PERCALL_PATH, (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal = checkUpgrade(req, { ...input, draining: input.draining() });
    if (refusal) {
      input.logger.warn('asterisk per-call connection refused', { reason: refusal });
      input.onRefused?.(refusal);
      socket.end(REFUSAL_RESPONSE[refusal]);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => input.onConnection(ws));
  });
  return {
    get connections() {
      return wss.clients.size;
    },
    close() {
      routes.upgrade.delete(ASTERISK_PERCALL_PATH);
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}
