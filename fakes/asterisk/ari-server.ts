import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { loadApiDoc } from '../../test/fixtures/asterisk-22/recordings.ts';
import { type AppSocket, createFakeAsterisk } from './ari-asterisk-state.ts';
import {
  API_DOCS,
  type AriRequest,
  type FakeAriOptions,
  type FakeBridge,
  type FakeChannel,
  now,
  readBody,
  recordedInfo,
} from './ari-model.ts';
import { createAriRest } from './ari-rest.ts';
import { createPerCallAsterisk, type PerCallConfig } from './ari-percall.ts';

export type {
  AmdOutcome,
  AriRequest,
  FakeAriOptions,
  FakeBridge,
  FakeChannel,
  OriginateOutcome,
} from './ari-model.ts';
export type { PerCallConfig, PerCallSocket } from './ari-percall.ts';

/**
 * A fake Asterisk 22 ARI server that `ari-client` accepts as the real thing: it serves the real
 * 22.10.1 Swagger documents (basePath rewritten to this server), the events WebSocket, and the
 * REST calls of an AI bridge, answering with the shapes, status codes and event sequences recorded
 * on a real server (`test/fixtures/asterisk-22/`). That includes the addChannel race: an
 * ExternalMedia channel's own StasisStart may come after the REST answer, and adding it to a bridge
 * before then answers 422 "Channel not in Stasis application".
 */
export async function startFakeAriServer(options: FakeAriOptions = {}) {
  const username = options.username ?? 'ai-caller';
  const password = options.password ?? 'secret-ari-password';
  const asterisk = createFakeAsterisk();
  const {
    channels,
    bridges,
    sockets,
    notify,
    waitUntil,
    emit,
    emitChannel,
    newChannel,
    enterStasis,
    destroyChannel,
  } = asterisk;
  const requests: AriRequest[] = [];
  let refuseEvents = false;
  let restDown = false;
  let eventSocketsOpened = 0;

  const wss = new WebSocketServer({ noServer: true });
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;

  function send(res: ServerResponse, req: AriRequest, status: number, body?: unknown): void {
    req.status = status;
    requests.push(req);
    if (body === undefined) {
      res.writeHead(status);
      res.end();
    } else {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    }
    notify();
  }
  const rest = createAriRest(asterisk, options, send);
  const perCall = createPerCallAsterisk(asterisk, () => rest.handle);
  asterisk.setPerCall(perCall);

  function authorized(req: IncomingMessage, query: URLSearchParams): boolean {
    const header = req.headers.authorization;
    if (header?.startsWith('Basic ')) {
      return Buffer.from(header.slice(6), 'base64').toString() === `${username}:${password}`;
    }
    return query.get('api_key') === `${username}:${password}`;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (restDown) {
      // Asterisk gone: the connection is reset without an answer.
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', baseUrl);
    const method = req.method ?? 'GET';
    const record: AriRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      body: await readBody(req),
      status: 0,
    };
    if (!authorized(req, url.searchParams))
      return send(res, record, 401, { message: 'Authentication required' });
    const path = url.pathname.replace(/^\/ari/, '');

    const doc = /^\/api-docs\/(\w+)\.json$/.exec(path);
    if (method === 'GET' && doc) {
      const name = doc[1]!;
      if (name !== 'resources' && !API_DOCS.includes(name))
        return send(res, record, 404, { message: 'Not found' });
      return send(res, record, 200, { ...loadApiDoc(name), basePath: `${baseUrl}/ari` });
    }
    if (method === 'GET' && path === '/asterisk/info') return send(res, record, 200, recordedInfo);
    rest.handle(res, record, method, path);
  }

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', baseUrl);
    if (perCall.handleMediaUpgrade(req, socket, head, { authorized: authorized(req, url.searchParams) }))
      return;
    if (url.pathname !== '/ari/events' || refuseEvents || !authorized(req, url.searchParams)) {
      socket.end(
        refuseEvents ? 'HTTP/1.1 503 Service Unavailable\r\n\r\n' : 'HTTP/1.1 401 Unauthorized\r\n\r\n',
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      (ws as AppSocket).apps = (url.searchParams.get('app') ?? '').split(',');
      sockets.add(ws);
      eventSocketsOpened++;
      ws.on('close', () => sockets.delete(ws));
      notify();
    });
  });

  return {
    url: baseUrl,
    username,
    password,
    channels,
    bridges,
    requests,
    get eventSockets() {
      return sockets.size;
    },
    get eventSocketsOpened() {
      return eventSocketsOpened;
    },
    /** A call arriving from the dialplan: `Stasis(app,inbound,${EXTEN})` on the `;2` half of a Local channel. */
    placeInboundCall(input: {
      app: string;
      exten: string;
      callerNumber: string;
      callerName?: string;
    }): FakeChannel {
      const caller = { name: input.callerName ?? '', number: input.callerNumber };
      const channel = newChannel(`Local/${input.exten}@from-trunk-${randomBytes(4).toString('hex')};2`, {
        state: 'Ring',
        caller,
        connected: caller,
        dialplan: {
          context: 'from-trunk',
          exten: input.exten,
          priority: 2,
          app_name: 'Stasis',
          app_data: '',
        },
      });
      enterStasis(channel, ['inbound', input.exten], input.app);
      return channel;
    },
    /** The far end hangs up (cause 16, normal clearing). */
    hangUp(channelId: string, cause = 16): void {
      const channel = channels.get(channelId);
      if (channel) destroyChannel(channel, cause, 'Normal Clearing');
    },
    /** An originated channel left ringing (`originateOutcome` `hold`) is answered now: it enters Stasis. */
    answer(channelId: string): void {
      const channel = channels.get(channelId);
      if (!channel?.originate || channel.inStasis) return;
      channel.state = 'Up';
      emitChannel('ChannelStateChange', channel);
      enterStasis(channel, channel.originate.appArgs, channel.originate.app);
    },
    /** A ringing originated channel gives up (busy 17, no answer 19, congestion 34), never answered. */
    reject(channelId: string, cause: number, text: string): void {
      const channel = channels.get(channelId);
      if (channel) destroyChannel(channel, cause, text, false);
    },
    sendDtmf(channelId: string, digit: string): void {
      const channel = channels.get(channelId);
      if (channel) emitChannel('ChannelDtmfReceived', channel, { digit, duration_ms: 120 });
    },
    /** Sends any JSON text on the events socket (unknown types, garbage). */
    emitRaw(text: string): void {
      for (const socket of sockets) socket.send(text);
    },
    emit,
    /** Drops every events socket, as when Asterisk restarts; with `refuse`, new ones are refused too. */
    dropEventSockets(refuse = false): void {
      refuseEvents = refuse;
      for (const socket of sockets) socket.terminate();
    },
    acceptEventSockets(): void {
      refuseEvents = false;
    },
    /** REST unreachable (connections reset) until called again with false. */
    setRestDown(down: boolean): void {
      restDown = down;
    },
    /** Leftovers of a previous run, as a crashed client leaves them. */
    addLeftover(input: { bridgeName: string; channelIds: string[] }): void {
      const bridge: FakeBridge = {
        id: crypto.randomUUID(),
        name: input.bridgeName,
        channels: [],
        creationtime: now(),
      };
      bridges.set(bridge.id, bridge);
      for (const id of input.channelIds) {
        const channel = newChannel(`UnicastRTP/127.0.0.1:1-0x${randomBytes(6).toString('hex')}`, {
          id,
          inStasis: true,
        });
        channel.bridgeId = bridge.id;
        bridge.channels.push(channel.id);
      }
    },
    waitUntil,
    waitForRequest(match: (r: AriRequest) => boolean): Promise<AriRequest> {
      return waitUntil(() => requests.some(match)).then(() => requests.find(match)!);
    },
    /** Per-call mode: channels entering `config.app` open ARI WebSockets towards `config.targets`. */
    enablePerCall(config: PerCallConfig): void {
      perCall.configure(config);
    },
    /** Every per-call connection opened so far (also refused ones), in order. */
    perCallConnections: perCall.connections,
    /** HTTP statuses of per-call upgrades the app refused. */
    perCallRefusals: perCall.refusedUpgrades,
    /** chan_websocket media sockets the app connected, by media channel id. */
    mediaSockets: perCall.mediaSockets,
    dropPerCallConnection: (channelId: string) => perCall.dropConnection(channelId),
    openPerCallForUnknownChannel: (name: string) => perCall.openForUnknownChannel(name),
    /** Caller audio into a call's media socket: 160-byte μ-law frames every 20 ms, as chan_websocket sends. */
    async sendMedia(channelId: string, audio: Buffer): Promise<void> {
      const media = perCall.mediaSockets.get(channelId);
      if (!media) throw new Error(`no media socket for ${channelId}`);
      for (let offset = 0; offset < audio.length; offset += 160) {
        const frame = Buffer.alloc(160, 0xff);
        audio.copy(frame, 0, offset, offset + 160);
        media.socket.send(frame, { binary: true });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close(): Promise<void> {
      perCall.close();
      for (const socket of sockets) socket.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type FakeAriServer = Awaited<ReturnType<typeof startFakeAriServer>>;
