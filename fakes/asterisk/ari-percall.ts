import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import type { FakeAsterisk } from './ari-asterisk-state.ts';
import { ASTERISK_ID, type AriRequest, type FakeChannel, now } from './ari-model.ts';

/** How Asterisk reaches the app's per-call endpoint (`websocket_client.conf`). */
export interface PerCallConfig {
  app: string;
  /** The `uri`s of the media services (behind a load balancer there is one; here the test picks). */
  targets: string[];
  username: string;
  password: string;
  /** Which target a new connection goes to (round robin when absent). */
  pick?: (channel: FakeChannel, attempt: number) => number;
  /** ApplicationRegistered → StasisStart (about 500 ms on a real server; short in tests). */
  stasisDelayMs?: number;
  /** Channel destroyed → Asterisk closes its per-call connection (about 3 s recorded). */
  closeDelayMs?: number;
  /** A re-connection that fails (refused, 503) is tried again after this (`reconnect_interval`). */
  reconnectIntervalMs?: number;
  /** How many times a failed re-connection is tried (`reconnect_attempts`). */
  reconnectAttempts?: number;
}

export interface PerCallSocket {
  number: number;
  channelId: string;
  application: string;
  socket: WebSocket;
  target: string;
  /** Opened again after a drop: announces ApplicationRegistered only. */
  reconnect: boolean;
  closeCode?: number;
}

export interface MediaSocket {
  channelId: string;
  socket: WebSocket;
  /** Binary frames the app sent, in order. */
  received: Buffer[];
  textReceived: string[];
}

type RestHandler = (res: ServerResponse, record: AriRequest, method: string, path: string) => void;

/**
 * The per-call side of the fake Asterisk, as recorded on 22.10.1 (`ari-percall-websocket.json`):
 * one outbound ARI WebSocket per channel entering Stasis of the per-call app, opened by the fake
 * towards the app with Basic auth and sub-protocol `ari`; `ApplicationRegistered` first, then
 * `StasisStart`; REST over the socket (`RESTRequest` → `RESTResponse`, bodies as JSON text); the
 * chan_websocket media server at `/media/<id>` with `MEDIA_START` and 160-byte μ-law frames; the
 * WebSocket media channel entering Stasis (on a second connection) only once its media socket is
 * connected; a dropped connection re-opened at once with only `ApplicationRegistered`.
 */
export function createPerCallAsterisk(asterisk: FakeAsterisk, restHandler: () => RestHandler) {
  let config: PerCallConfig | undefined;
  let opened = 0;
  const connections: PerCallSocket[] = [];
  const byChannel = new Map<string, PerCallSocket>();
  const mediaSockets = new Map<string, MediaSocket>();
  const refusedUpgrades: number[] = [];
  const mediaServer = new WebSocketServer({
    noServer: true,
    handleProtocols: (p) => (p.has('media') ? 'media' : false),
  });

  function open(channel: FakeChannel, args: string[] | undefined, reconnect = false, retry = 0): void {
    const current = config;
    if (!current) return;
    const attempt = opened++;
    const index = current.pick?.(channel, attempt) ?? attempt % current.targets.length;
    const target = current.targets[index % current.targets.length]!;
    const application = `${current.app}:${channel.name}`;
    const auth = Buffer.from(`${current.username}:${current.password}`).toString('base64');
    const socket = new WebSocket(target, 'ari', { headers: { authorization: `Basic ${auth}` } });
    const entry: PerCallSocket = {
      number: opened,
      channelId: channel.id,
      application,
      socket,
      target,
      reconnect,
    };
    connections.push(entry);
    // A re-connection that fails is tried again, as `reconnect_interval`/`reconnect_attempts` say.
    let failed = false;
    let wasOpen = false;
    const retryReconnect = () => {
      if (failed || !reconnect) return;
      failed = true;
      if (retry + 1 >= (current.reconnectAttempts ?? 5)) return;
      setTimeout(() => {
        if (asterisk.channels.get(channel.id)?.inStasis && !byChannel.has(channel.id))
          open(channel, undefined, true, retry + 1);
      }, current.reconnectIntervalMs ?? 20);
    };
    socket.on('unexpected-response', (_req, res) => {
      refusedUpgrades.push(res.statusCode ?? 0);
      entry.closeCode = res.statusCode;
      asterisk.notify();
      retryReconnect();
    });
    socket.on('error', () => {
      if (!wasOpen) retryReconnect();
    });
    socket.on('open', () => {
      wasOpen = true;
      byChannel.set(channel.id, entry);
      socket.send(
        JSON.stringify({
          type: 'ApplicationRegistered',
          timestamp: now(),
          application,
          asterisk_id: ASTERISK_ID,
        }),
      );
      asterisk.notify();
      if (!args) return;
      setTimeout(() => {
        if (!asterisk.channels.has(channel.id) || socket.readyState !== WebSocket.OPEN) return;
        channel.inStasis = true;
        asterisk.emitChannel('StasisStart', channel, { args });
      }, current.stasisDelayMs ?? 5);
    });
    socket.on('message', (data) => onRestRequest(entry, data.toString()));
    socket.on('close', (code) => {
      entry.closeCode = code;
      if (byChannel.get(channel.id) === entry) byChannel.delete(channel.id);
      asterisk.notify();
      // A live channel's connection dropped: Asterisk opens a new one at once, to any target.
      if (!wasOpen) return;
      if (code !== 1000 && asterisk.channels.get(channel.id)?.inStasis) open(channel, undefined, true);
    });
  }

  function onRestRequest(entry: PerCallSocket, text: string): void {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    if (
      message.type !== 'RESTRequest' ||
      typeof message.uri !== 'string' ||
      typeof message.method !== 'string'
    )
      return;
    const url = new URL(`/ari/${message.uri}`, 'http://asterisk.local');
    let body: unknown;
    try {
      body = typeof message.message_body === 'string' ? JSON.parse(message.message_body) : undefined;
    } catch {
      body = message.message_body;
    }
    const record: AriRequest = {
      method: message.method,
      path: url.pathname,
      query: url.searchParams,
      body,
      status: 0,
      conn: entry.number,
    };
    let status = 200;
    const answer = {
      writeHead(code: number) {
        status = code;
        return answer;
      },
      end(payload?: string) {
        if (entry.socket.readyState !== WebSocket.OPEN) return;
        entry.socket.send(
          JSON.stringify({
            type: 'RESTResponse',
            transaction_id: message.transaction_id,
            request_id: message.request_id,
            status_code: status,
            reason_phrase: STATUS_CODES[status] ?? '',
            // As recorded: the path of the request, without its query string.
            uri: String(message.uri).split('?')[0],
            ...(payload ? { content_type: 'application/json', message_body: payload } : {}),
            application: entry.application,
            timestamp: now(),
            asterisk_id: ASTERISK_ID,
          }),
        );
      },
    };
    restHandler()(
      answer as unknown as ServerResponse,
      record,
      message.method,
      url.pathname.replace(/^\/ari/, ''),
    );
  }

  return {
    connections,
    mediaSockets,
    refusedUpgrades,
    configure(next: PerCallConfig | undefined): void {
      config = next;
    },
    get enabled() {
      return config !== undefined;
    },
    /** A channel enters Stasis of the per-call app: true when a per-call connection takes it. */
    enterStasis(channel: FakeChannel, args: string[], app: string): boolean {
      if (!config || app !== config.app) return false;
      channel.dialplan = { ...channel.dialplan, app_name: 'Stasis', app_data: [app, ...args].join(',') };
      open(channel, args);
      return true;
    },
    /** Events about `channelIds` go to their per-call connections. */
    deliver(event: Record<string, unknown>, channelIds: string[]): void {
      for (const id of new Set(channelIds)) {
        const entry = byChannel.get(id);
        if (entry?.socket.readyState === WebSocket.OPEN)
          entry.socket.send(JSON.stringify({ ...event, application: entry.application }));
      }
    },
    channelDestroyed(channelId: string): void {
      const media = mediaSockets.get(channelId);
      if (media && media.socket.readyState === WebSocket.OPEN) media.socket.close(1000);
      const entry = byChannel.get(channelId);
      if (!entry) return;
      setTimeout(() => {
        if (entry.socket.readyState === WebSocket.OPEN) entry.socket.close(1000);
      }, config?.closeDelayMs ?? 20);
    },
    /** The app's task dies mid-call: the connection breaks without a close handshake. */
    dropConnection(channelId: string): void {
      byChannel.get(channelId)?.socket.terminate();
    },
    /** A connection for a channel Asterisk does not have (a stale re-connect). */
    openForUnknownChannel(name: string): PerCallSocket {
      const ghost = { id: `ghost-${randomBytes(3).toString('hex')}`, name } as FakeChannel;
      open(ghost, undefined, true);
      return connections.at(-1)!;
    },
    /** `/media/<id>` on Asterisk's HTTP server (ARI Basic auth, sub-protocol `media`). */
    handleMediaUpgrade(
      req: IncomingMessage,
      socket: Duplex,
      head: Buffer,
      input: { authorized: boolean },
    ): boolean {
      const match = /^\/media\/([^/?]+)/.exec(req.url ?? '');
      if (!match) return false;
      const connectionId = decodeURIComponent(match[1]!);
      const channel = [...asterisk.channels.values()].find(
        (c) => c.variables.MEDIA_WEBSOCKET_CONNECTION_ID === connectionId,
      );
      if (!input.authorized || !channel || mediaSockets.has(channel.id)) {
        socket.end(input.authorized ? 'HTTP/1.1 404 Not Found\r\n\r\n' : 'HTTP/1.1 401 Unauthorized\r\n\r\n');
        return true;
      }
      mediaServer.handleUpgrade(req, socket, head, (ws) => {
        const media: MediaSocket = { channelId: channel.id, socket: ws, received: [], textReceived: [] };
        mediaSockets.set(channel.id, media);
        ws.on('message', (data, isBinary) => {
          if (isBinary) media.received.push(Buffer.from(data as Buffer));
          else media.textReceived.push(data.toString());
          asterisk.notify();
        });
        ws.on('close', () => {
          // Closing the app's media socket hangs the media channel up.
          const current = asterisk.channels.get(channel.id);
          if (current) asterisk.destroyChannel(current, 16, 'Normal Clearing');
          asterisk.notify();
        });
        ws.send(
          `MEDIA_START connection_id:${connectionId} channel:${channel.name} channel_id:${channel.id} format:ulaw optimal_frame_size:160 ptime:20`,
        );
        // Only now does the media channel enter Stasis (before this, addChannel answers 422).
        channel.state = 'Up';
        asterisk.enterStasis(channel, [], channel.externalApp ?? '');
        asterisk.notify();
      });
      return true;
    },
    close(): void {
      for (const entry of connections) entry.socket.terminate();
      for (const media of mediaSockets.values()) media.socket.terminate();
      mediaServer.close();
    },
  };
}

export type FakePerCall = ReturnType<typeof createPerCallAsterisk>;
