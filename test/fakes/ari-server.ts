import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { loadApiDoc } from '../fixtures/asterisk-22/recordings.ts';
import {
  API_DOCS,
  ASTERISK_ID,
  type AriRequest,
  bridgeJson,
  channelJson,
  type FakeAriOptions,
  type FakeBridge,
  type FakeChannel,
  HANGUP_CAUSES,
  now,
  readBody,
  recordedInfo,
} from './ari-model.ts';

export type { AriRequest, FakeAriOptions, FakeBridge, FakeChannel, OriginateOutcome } from './ari-model.ts';

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
  const channels = new Map<string, FakeChannel>();
  const bridges = new Map<string, FakeBridge>();
  const requests: AriRequest[] = [];
  const sockets = new Set<WebSocket>();
  const heldStasisStarts = new Map<string, () => void>();
  const waiters: { match: () => boolean; resolve: () => void }[] = [];
  let refuseEvents = false;
  let restDown = false;
  let eventSocketsOpened = 0;
  let sequence = 0;
  // Asterisk channel ids are `<epoch seconds>.<sequence>`; a fresh base per server keeps them unique across tests.
  const idBase = Math.floor(Date.now() / 1000) + Math.floor(Math.random() * 1_000_000);

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

  const notify = () => {
    for (const waiter of [...waiters]) {
      if (waiter.match()) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  const waitUntil = (match: () => boolean) =>
    new Promise<void>((resolve) => {
      if (match()) resolve();
      else waiters.push({ match, resolve });
    });

  /** Sends an event to every connected app socket, with the envelope Asterisk adds. */
  function emit(type: string, fields: Record<string, unknown>): void {
    const event = { type, timestamp: now(), ...fields, asterisk_id: ASTERISK_ID, application: 'app' };
    for (const socket of sockets) {
      const apps = (socket as WebSocket & { apps?: string[] }).apps ?? [];
      socket.send(JSON.stringify({ ...event, application: apps[0] ?? 'app' }));
    }
  }
  const emitChannel = (type: string, c: FakeChannel, extra: Record<string, unknown> = {}) =>
    emit(type, { ...extra, channel: channelJson(c) });

  function newChannel(name: string, fields: Partial<FakeChannel> = {}): FakeChannel {
    const channel: FakeChannel = {
      id: fields.id ?? `${idBase}.${sequence++}`,
      name,
      state: 'Down',
      caller: { name: '', number: '' },
      connected: { name: '', number: '' },
      dialplan: {
        context: 'default',
        exten: 's',
        priority: 1,
        app_name: 'AppDial2',
        app_data: '(Outgoing Line)',
      },
      creationtime: now(),
      variables: {},
      inStasis: false,
      ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)),
    };
    channels.set(channel.id, channel);
    return channel;
  }

  function enterStasis(channel: FakeChannel, args: string[], app: string): void {
    channel.inStasis = true;
    channel.dialplan = { ...channel.dialplan, app_name: 'Stasis', app_data: [app, ...args].join(',') };
    emitChannel('StasisStart', channel, { args });
    notify();
  }

  /** Tears a channel down the way Asterisk reports it: HangupRequest, LeftBridge, StasisEnd, Destroyed. */
  function destroyChannel(
    channel: FakeChannel,
    cause: number,
    causeText: string,
    hangupRequest = true,
  ): void {
    if (!channels.has(channel.id)) return;
    if (hangupRequest) emitChannel('ChannelHangupRequest', channel, { cause: 32, soft: true });
    const bridge = channel.bridgeId ? bridges.get(channel.bridgeId) : undefined;
    if (bridge) {
      bridge.channels = bridge.channels.filter((id) => id !== channel.id);
      emit('ChannelLeftBridge', { bridge: bridgeJson(bridge), channel: channelJson(channel) });
    }
    if (channel.inStasis) emitChannel('StasisEnd', channel);
    channels.delete(channel.id);
    heldStasisStarts.delete(channel.id);
    emitChannel('ChannelDestroyed', channel, { cause, cause_txt: causeText });
    notify();
  }

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
    const q = url.searchParams;

    const doc = /^\/api-docs\/(\w+)\.json$/.exec(path);
    if (method === 'GET' && doc) {
      const name = doc[1]!;
      if (name !== 'resources' && !API_DOCS.includes(name))
        return send(res, record, 404, { message: 'Not found' });
      return send(res, record, 200, { ...loadApiDoc(name), basePath: `${baseUrl}/ari` });
    }
    if (method === 'GET' && path === '/asterisk/info') return send(res, record, 200, recordedInfo);
    if (method === 'GET' && path === '/channels')
      return send(res, record, 200, [...channels.values()].map(channelJson));
    if (method === 'GET' && path === '/bridges')
      return send(res, record, 200, [...bridges.values()].map(bridgeJson));

    if (method === 'POST' && path === '/channels/externalMedia') return externalMedia(res, record, q);
    if (method === 'POST' && path === '/channels') return originate(res, record, q);
    if (method === 'POST' && path === '/bridges') {
      const bridge: FakeBridge = {
        id: q.get('bridgeId') ?? crypto.randomUUID(),
        name: q.get('name') ?? '',
        channels: [],
        creationtime: now(),
      };
      bridges.set(bridge.id, bridge);
      return send(res, record, 200, bridgeJson(bridge));
    }

    const bridgeOp = /^\/bridges\/([^/]+)(?:\/(\w+))?$/.exec(path);
    if (bridgeOp) {
      const bridge = bridges.get(decodeURIComponent(bridgeOp[1]!));
      if (!bridge) return send(res, record, 404, { message: 'Bridge not found' });
      if (method === 'DELETE' && !bridgeOp[2]) {
        bridges.delete(bridge.id);
        for (const id of bridge.channels) {
          const channel = channels.get(id);
          if (!channel) continue;
          channel.bridgeId = undefined;
          emit('ChannelLeftBridge', {
            bridge: bridgeJson({ ...bridge, channels: [] }),
            channel: channelJson(channel),
          });
        }
        emit('BridgeDestroyed', { bridge: bridgeJson({ ...bridge, channels: [] }) });
        return send(res, record, 204);
      }
      if (method === 'POST' && bridgeOp[2] === 'addChannel') return addChannel(res, record, bridge, q);
      return send(res, record, 404, { message: 'Resource not found' });
    }

    const channelOp = /^\/channels\/([^/]+)(?:\/(\w+))?$/.exec(path);
    if (channelOp) {
      const channel = channels.get(decodeURIComponent(channelOp[1]!));
      if (!channel) return send(res, record, 404, { message: 'Channel not found' });
      const op = channelOp[2];
      if (method === 'DELETE' && !op) {
        send(res, record, 204);
        destroyChannel(channel, 16, 'Normal Clearing');
        return;
      }
      if (method === 'GET' && op === 'variable') {
        const value = channel.variables[q.get('variable') ?? ''];
        if (value === undefined)
          return send(res, record, 404, { message: 'Provided variable was not found' });
        return send(res, record, 200, { value });
      }
      if (!channel.inStasis) return send(res, record, 409, { message: 'Channel not in Stasis application' });
      if (method === 'POST' && op === 'answer') {
        send(res, record, 204);
        if (channel.state !== 'Up') {
          channel.state = 'Up';
          emitChannel('ChannelStateChange', channel);
        }
        return;
      }
      if (method === 'POST' && (op === 'continue' || op === 'redirect')) {
        send(res, record, 204);
        const bridge = channel.bridgeId ? bridges.get(channel.bridgeId) : undefined;
        if (bridge) {
          bridge.channels = bridge.channels.filter((id) => id !== channel.id);
          channel.bridgeId = undefined;
          emit('ChannelLeftBridge', { bridge: bridgeJson(bridge), channel: channelJson(channel) });
        }
        channel.inStasis = false;
        emitChannel('StasisEnd', channel);
        return;
      }
      return send(res, record, 404, { message: 'Resource not found' });
    }
    send(res, record, 404, { message: 'Resource not found' });
  }

  function externalMedia(res: ServerResponse, record: AriRequest, q: URLSearchParams) {
    const app = q.get('app');
    const host = q.get('external_host');
    const format = q.get('format');
    if (!app || !host || !format)
      return send(res, record, 400, { message: 'app, external_host and format are required' });
    const peer = options.rtpPeerFor?.(host, format) ?? { address: '127.0.0.1', port: 10090 };
    const channel = newChannel(`UnicastRTP/${host}-0x${randomBytes(6).toString('hex')}`, {
      id: q.get('channelId') ?? undefined,
      variables: { UNICASTRTP_LOCAL_ADDRESS: peer.address, UNICASTRTP_LOCAL_PORT: String(peer.port) },
    });
    send(res, record, 200, {
      ...channelJson(channel),
      channelvars: { UNICASTRTP_LOCAL_PORT: String(peer.port), UNICASTRTP_LOCAL_ADDRESS: peer.address },
    });
    // Recorded order after the answer: Dial, ChannelStateChange(Up), Dial ANSWER, Varset, StasisStart.
    const dial = (dialstatus: string) =>
      emit('Dial', {
        dialstatus,
        forward: '',
        dialstring: `${host}/c(${format})`,
        peer: channelJson(channel),
      });
    const start = () => {
      if (!channels.has(channel.id)) return;
      dial('');
      channel.state = 'Up';
      emitChannel('ChannelStateChange', channel);
      dial('ANSWER');
      emitChannel('ChannelVarset', channel, { variable: 'STASISSTATUS', value: '' });
      enterStasis(channel, q.get('data') ? [q.get('data')!] : [], app);
    };
    if (options.addChannelRace) {
      // As recorded: the StasisStart lands a few ms after the REST answer; an addChannel before it is refused.
      heldStasisStarts.set(channel.id, start);
      setTimeout(() => {
        if (heldStasisStarts.delete(channel.id)) start();
      }, 30);
    } else setImmediate(start);
  }

  function originate(res: ServerResponse, record: AriRequest, q: URLSearchParams) {
    const endpoint = q.get('endpoint');
    const app = q.get('app');
    if (!endpoint) return send(res, record, 400, { message: 'Endpoint must be specified' });
    const callerId = /<([^>]*)>/.exec(q.get('callerId') ?? '')?.[1] ?? q.get('callerId') ?? '';
    const channel = newChannel(`${endpoint.split('@')[0]}-${randomBytes(4).toString('hex')}`, {
      id: q.get('channelId') ?? undefined,
      caller: { name: '', number: callerId },
      originate: app
        ? { app, appArgs: (q.get('appArgs') ?? '').split(',').filter(Boolean), endpoint }
        : undefined,
    });
    send(res, record, 200, channelJson(channel));
    const outcome = options.originateOutcome?.(endpoint) ?? 'answer';
    setImmediate(() => {
      if (!channels.has(channel.id)) return;
      channel.state = 'Ringing';
      emitChannel('ChannelStateChange', channel);
      if (outcome === 'hold') return;
      if (outcome === 'answer') {
        channel.state = 'Up';
        emitChannel('ChannelStateChange', channel);
        if (channel.originate) enterStasis(channel, channel.originate.appArgs, channel.originate.app);
        return;
      }
      const [cause, text] = HANGUP_CAUSES[outcome];
      destroyChannel(channel, cause, text, false);
    });
  }

  function addChannel(res: ServerResponse, record: AriRequest, bridge: FakeBridge, q: URLSearchParams) {
    const ids = (q.get('channel') ?? '').split(',').filter(Boolean);
    if (ids.length === 0) return send(res, record, 400, { message: 'Missing parameter channel' });
    const found = ids.map((id) => channels.get(id));
    if (found.some((c) => !c)) return send(res, record, 400, { message: 'Channel not found' });
    if (found.some((c) => !c!.inStasis)) {
      send(res, record, 422, { message: 'Channel not in Stasis application' });
      // The recorded race: the ExternalMedia StasisStart lands just after the refusal.
      for (const id of ids) {
        const held = heldStasisStarts.get(id);
        if (held) {
          heldStasisStarts.delete(id);
          setImmediate(held);
        }
      }
      return;
    }
    send(res, record, 204);
    for (const channel of found as FakeChannel[]) {
      if (bridge.channels.includes(channel.id)) continue;
      bridge.channels.push(channel.id);
      channel.bridgeId = bridge.id;
      emit('ChannelEnteredBridge', { bridge: bridgeJson(bridge), channel: channelJson(channel) });
    }
  }

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', baseUrl);
    if (url.pathname !== '/ari/events' || refuseEvents || !authorized(req, url.searchParams)) {
      socket.end(
        refuseEvents ? 'HTTP/1.1 503 Service Unavailable\r\n\r\n' : 'HTTP/1.1 401 Unauthorized\r\n\r\n',
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      (ws as WebSocket & { apps?: string[] }).apps = (url.searchParams.get('app') ?? '').split(',');
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
    async close(): Promise<void> {
      for (const socket of sockets) socket.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type FakeAriServer = Awaited<ReturnType<typeof startFakeAriServer>>;
